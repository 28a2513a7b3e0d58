import { z } from 'zod';
import { CommonEnv, ConfigError, envInt, envSecretToken, loadConfig, SecretsEnv } from '@wire/config';
import { parseCommandArgs } from '../args';
import type { CommandIO } from '../io';
import { PIPELINE_SERVICES, Supervisor, serviceEntry, trapStopSignals, type PipelineService } from '../supervisor';

const USAGE = `usage: wire start [--only svc,svc] [--max-restarts N]

Runs every service (${PIPELINE_SERVICES.join(', ')}) against the configured Kafka, Redis and S3
(environment variables, CONTRACTS.md "Environment"), each as its own process. A service that
crashes is restarted with backoff; SIGTERM or SIGINT stops them all cleanly.
`;

/** What `wire start` checks before starting anything; each service validates its own extras too. */
export const StartEnvSchema = z.object({
  ...CommonEnv,
  ...SecretsEnv,
  PORT: envInt(8080, 0, 65535),
  OPS_TOKEN: envSecretToken(),
});

/** `wire start` — production entry point: supervise every service. */
export async function run(argv: string[], io: CommandIO): Promise<number> {
  const args = parseCommandArgs(argv, io, USAGE, { options: { only: { type: 'string' }, 'max-restarts': { type: 'string', default: '5' }, help: { type: 'boolean', short: 'h' } } });
  if (typeof args === 'number') return args;
  const only = args.values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only?.filter((s) => !(PIPELINE_SERVICES as readonly string[]).includes(s)) ?? [];
  if (unknown.length > 0) {
    io.stderr.write(`error WIRE_ERR_USAGE: --only: unknown service ${unknown.join(', ')} (services: ${PIPELINE_SERVICES.join(', ')})\n`);
    return 2;
  }
  const maxRestarts = Number(args.values['max-restarts']);
  if (!Number.isInteger(maxRestarts) || maxRestarts < 0) {
    io.stderr.write(`error WIRE_ERR_USAGE: --max-restarts: expected a whole number, got "${args.values['max-restarts']}"\n`);
    return 2;
  }

  try {
    loadConfig(StartEnvSchema, io.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write('wire start: invalid configuration, nothing started:\n');
      for (const line of err.lines) io.stderr.write(`  ${line}\n`);
      return 1;
    }
    throw err;
  }

  const say = (line: string) => io.stderr.write(`${line}\n`);
  const supervisor = new Supervisor({
    env: io.env,
    report: say,
    restart: maxRestarts > 0,
    maxRestarts,
    // Children log JSON lines (pino, with their service name): pass them through unchanged.
    onOutput: (name, line) => io.stdout.write(line.startsWith('{') ? `${line}\n` : `[${name}] ${line}\n`),
  });
  const wanted = (only ?? PIPELINE_SERVICES) as PipelineService[];
  let started = 0;
  for (const name of wanted) {
    const entry = serviceEntry(name);
    if (!entry) {
      say(`wire start: services/${name} is not built yet (no src/main.ts); skipping it`);
      continue;
    }
    supervisor.start(name, entry);
    started++;
  }
  if (started === 0) {
    say('wire start: no service to run');
    return 1;
  }

  let untrap: (() => void) | undefined;
  const code = await new Promise<number>((resolve) => {
    untrap = trapStopSignals(
      (signal) => {
        say(`wire start: ${signal}, stopping every service`);
        resolve(0);
      },
      (signal) => {
        say(`wire start: ${signal} again, exiting now (the services get SIGTERM)`);
        process.exit(130);
      },
    );
    // A service that keeps crashing takes the others down, so whatever runs `wire start` sees it.
    supervisor.onChildGone((name) => {
      say(`wire start: ${name} keeps failing; stopping every service`);
      resolve(1);
    });
  });
  await supervisor.stopAll();
  untrap?.();
  say('wire start: stopped');
  return code;
}
