import { COMMANDS, type CommandIO } from './commands';

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: wire <command> [options]\n\ncommands:\n${rows.join('\n')}\n`;
}

const [name, ...argv] = process.argv.slice(2);
const io: CommandIO = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };

if (!name || name === '--help' || name === '-h' || name === 'help') {
  process.stdout.write(usage());
  process.exit(name ? 0 : 2);
}
const command = COMMANDS[name];
if (!command) {
  process.stderr.write(`error WIRE_ERR_USAGE: unknown command "${name}"\n${usage()}`);
  process.exit(2);
}
const mod = await command.load();
const code = await mod.run(argv, io);
process.exitCode = code;
