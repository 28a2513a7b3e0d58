import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run a command the way a person would (no shell), with `env` on top of this process's
 * environment minus the service variables, so a developer's own exports do not leak in.
 */
export function runCommand(command: string, args: string[], env: Record<string, string | undefined>, timeoutMs = 180_000, cwd = REPO): Promise<Ran> {
  const base = { ...process.env };
  for (const k of ['KAFKA_BROKERS', 'REDIS_URL', 'S3_ENDPOINT', 'APERTIUM_URL', 'WIRE_INFRA_DIR', 'WIRE_KAFKA_PORT', 'WIRE_S3_PORT', 'WIRE_APY_PORT']) delete base[k];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `wire <args>` through the package's bin. */
export function wire(args: string[], env: Record<string, string | undefined> = {}, timeoutMs?: number): Promise<Ran> {
  return runCommand(process.execPath, [path.join(REPO, 'packages', 'cli', 'bin', 'wire.js'), ...args], env, timeoutMs);
}
