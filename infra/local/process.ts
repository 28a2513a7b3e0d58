import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError } from './errors';

/** What `up` writes beside each PID file, so `down` and `status` know what the process is. */
export interface PidRecord {
  service: string;
  pid: number;
  /** A string the process's command line must contain: guards against a reused PID. */
  marker: string;
  address: string;
  log: string;
  startedAt: string;
  /** Extra facts a service needs later (e.g. the Redis port it was started on). */
  port?: number;
}

const pidFile = (runDir: string, service: string) => path.join(runDir, `${service}.pid`);
const recordFile = (runDir: string, service: string) => path.join(runDir, `${service}.json`);

export function writePidRecord(runDir: string, rec: PidRecord): void {
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(recordFile(runDir, rec.service), `${JSON.stringify(rec, null, 2)}\n`);
  fs.writeFileSync(pidFile(runDir, rec.service), `${rec.pid}\n`);
}

export function removePidRecord(runDir: string, service: string): void {
  fs.rmSync(pidFile(runDir, service), { force: true });
  fs.rmSync(recordFile(runDir, service), { force: true });
}

/** The command line of a live process, or undefined when it is gone (or a zombie). */
function cmdline(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3 after "(comm)" is the state; Z means the process already exited.
    if (/\)\s+Z\s/.test(stat)) return undefined;
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    // No /proc entry: the process does not exist.
    return undefined;
  }
}

/** True when `pid` is alive and its command line still contains `marker` (so it is ours). */
export function isOurs(pid: number, marker: string): boolean {
  const cmd = cmdline(pid);
  return cmd !== undefined && cmd.includes(marker);
}

/** The record of a service we started that is still alive; stale records are removed. */
export function liveRecord(runDir: string, service: string): PidRecord | undefined {
  let rec: PidRecord;
  try {
    rec = JSON.parse(fs.readFileSync(recordFile(runDir, service), 'utf8')) as PidRecord;
  } catch {
    // No record (never started, or already stopped).
    return undefined;
  }
  if (isOurs(rec.pid, rec.marker)) return rec;
  removePidRecord(runDir, service);
  return undefined;
}

/**
 * Start `command` in its own process group (so it outlives the caller and `down` can stop it and
 * any children it forks), stdout and stderr appended to `logFile`.
 */
export function startDetached(command: string, args: string[], opts: { cwd: string; logFile: string; env?: NodeJS.ProcessEnv }): number {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const fd = fs.openSync(opts.logFile, 'a');
  try {
    fs.writeSync(fd, `\n--- ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { cwd: opts.cwd, detached: true, stdio: ['ignore', fd, fd], env: opts.env ?? process.env });
    if (child.pid === undefined) {
      throw new InfraError('WIRE_ERR_INFRA_START', `could not start ${command}: no process id (is it installed?)`);
    }
    // Reap the child if it dies while we still run, so liveness checks do not see a zombie.
    child.on('error', () => undefined);
    child.unref();
    return child.pid;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Stop a process group we started: SIGTERM, wait up to `graceMs`, then SIGKILL. Only signals the
 * group when the leader's command line still carries our marker.
 */
export async function stopProcess(rec: PidRecord, graceMs = 20_000): Promise<'stopped' | 'killed' | 'gone'> {
  if (!isOurs(rec.pid, rec.marker)) return 'gone';
  signalGroup(rec.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isOurs(rec.pid, rec.marker) && !groupAlive(rec.pid)) return 'stopped';
    await sleep(100);
  }
  signalGroup(rec.pid, 'SIGKILL');
  for (let i = 0; i < 50 && isOurs(rec.pid, rec.marker); i++) await sleep(100);
  return 'killed';
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone; fall back to the single process in case it left its group.
    try {
      process.kill(pid, signal);
    } catch {
      // Nothing left to signal.
    }
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    // ESRCH: no process left in the group.
    return false;
  }
}

/** True when something accepts TCP connections on host:port within `timeoutMs`. */
export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Poll `check` until it returns a value (not undefined) or `timeoutMs` passes. `alive` is asked
 * between polls so a process that died is reported at once instead of after the timeout.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  opts: { timeoutMs: number; alive?: () => boolean; logFile?: string; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    const hint = opts.logFile ? `; last lines of ${opts.logFile}:\n${tail(opts.logFile, 15)}` : '';
    if (opts.alive && !opts.alive()) {
      throw new InfraError('WIRE_ERR_INFRA_START', `${what} exited while starting${hint}`);
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new InfraError('WIRE_ERR_INFRA_START', `${what} did not answer within ${Math.round(opts.timeoutMs / 1000)} s${why}${hint}`);
    }
    await sleep(opts.intervalMs ?? 250);
  }
}

/** The last `n` lines of a file, indented, for error messages. */
export function tail(file: string, n: number): string {
  try {
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return lines.slice(-n).map((l) => `    ${l}`).join('\n');
  } catch {
    // No log yet: nothing to show.
    return '    (no log)';
  }
}

/**
 * Hold an exclusive lock file while `fn` runs, so two `wire infra up` (or two test runs) do not
 * start the same server twice. A lock left by a dead process is taken over.
 */
export async function withLock<T>(lockFile: string, fn: () => Promise<T>, opts: { timeoutMs?: number; onWait?: () => void } = {}): Promise<T> {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
  let waited = false;
  for (;;) {
    try {
      const fd = fs.openSync(lockFile, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(fs.readFileSync(lockFile, 'utf8').trim());
      if (!Number.isInteger(holder) || holder <= 0 || cmdline(holder) === undefined) {
        fs.rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new InfraError('WIRE_ERR_INFRA_LOCKED', `${lockFile} is held by process ${holder}; wait for it or remove the file if that process is not wire`);
      }
      if (!waited) opts.onWait?.();
      waited = true;
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}
