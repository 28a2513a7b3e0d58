import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backoffMs } from '@wire/retry';

/**
 * The pipeline services `wire demo` and `wire start` run, in start order (consumers of queues
 * before producers); the local servers they run on are @wire/infra's `INFRA_SERVICES`.
 */
export const PIPELINE_SERVICES = ['ops', 'webhooks', 'translator', 'ingest'] as const;
export type PipelineService = (typeof PIPELINE_SERVICES)[number];

/** The repository root (this file is packages/cli/src/supervisor.ts, or dist/supervisor.js built). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * True when this code runs from the build (`npm run build`, plain node): the services then run from
 * their build too; from the TypeScript source (tsx, tests) they run from their source.
 */
const FROM_BUILD = import.meta.url.endsWith('.js');

/** Path of a service's entry point (source or build, as this code runs), or undefined when it is missing. */
export function serviceEntry(name: PipelineService, root = REPO_ROOT): string | undefined {
  const file = FROM_BUILD ? join(root, 'services', name, 'dist', 'main.js') : join(root, 'services', name, 'src', 'main.ts');
  return existsSync(file) ? file : undefined;
}

export interface SupervisorOptions {
  /** Environment every child gets (already validated by the caller). */
  env: Record<string, string | undefined>;
  /** Where progress lines go (`[supervisor] ...`). */
  report: (line: string) => void;
  /** When set, each child's stdout/stderr is appended to `<logDir>/<name>.log` instead of `onOutput`. */
  logDir?: string;
  /** Called with each output line of a child when no logDir is set. */
  onOutput?: (name: string, line: string) => void;
  /** Restart a child that exits unexpectedly (with backoff, at most `maxRestarts` times). */
  restart?: boolean;
  maxRestarts?: number;
  /** How long a child gets after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
}

interface Child {
  name: string;
  entry: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
  restarts: number;
  log?: WriteStream;
}

/**
 * Trap SIGINT and SIGTERM for a command that supervises services. The first signal calls `onStop`.
 * The same Ctrl-C can arrive twice: the terminal signals the whole foreground group, and tsx's CLI
 * relays the signal to its child again when the child's acknowledgement is late (on a busy machine);
 * a repeat within a second is that echo and is ignored. A later signal is a person insisting:
 * `onForce`. Returns the function that removes the handlers.
 */
export function trapStopSignals(onStop: (signal: NodeJS.Signals) => void, onForce: (signal: NodeJS.Signals) => void): () => void {
  let first: number | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (first === undefined) {
      first = Date.now();
      onStop(signal);
    } else if (Date.now() - first > 1000) onForce(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Children of every supervisor in this process that still run: stopped if this process exits first. */
const live = new Set<ChildProcess>();
let exitHook = false;

/**
 * Runs services as child processes (`node services/<name>/dist/main.js` from the build, `node
 * --import tsx services/<name>/src/main.ts` from the source; one PID each, so stopping means
 * signalling exactly the processes we started). Each child has its own process group, so a Ctrl-C
 * in the terminal reaches only the supervisor, which then stops the children in order; should the
 * supervisor exit without `stopAll()`, its children get SIGTERM as it goes. Unexpected exits are
 * reported and, with `restart`, retried with backoff; `stopAll()` stops the children one by one in
 * reverse start order (SIGTERM by PID, SIGKILL after the timeout), one line each.
 */
export class Supervisor {
  private readonly children = new Map<string, Child>();
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private readonly failures: Array<{ name: string; code: number | null }> = [];
  private onGiveUp: ((name: string, code: number | null) => void) | undefined;

  constructor(private readonly opts: SupervisorOptions) {
    if (opts.logDir) mkdirSync(opts.logDir, { recursive: true });
  }

  /** Register a callback for a child that exited and will not be restarted. */
  onChildGone(cb: (name: string, code: number | null) => void): void {
    this.onGiveUp = cb;
  }

  /** Children that exited unexpectedly and stayed down. */
  get gone(): ReadonlyArray<{ name: string; code: number | null }> {
    return this.failures;
  }

  /** PIDs of the running children, by name. */
  pids(): Record<string, number | undefined> {
    return Object.fromEntries([...this.children.values()].map((c) => [c.name, c.proc.pid]));
  }

  /** Start `name` from `entry`; returns its PID. */
  start(name: string, entry: string, restarts = 0): number | undefined {
    const proc = spawn(process.execPath, entry.endsWith('.ts') ? ['--import', 'tsx', entry] : [entry], {
      cwd: REPO_ROOT,
      env: this.opts.env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    live.add(proc);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => {
        for (const p of live) p.kill('SIGTERM');
      });
    }
    const log = this.opts.logDir ? createWriteStream(join(this.opts.logDir, `${name}.log`), { flags: 'a' }) : undefined;
    const forward = (stream: NodeJS.ReadableStream | null) => {
      if (!stream) return;
      if (log) {
        stream.pipe(log, { end: false });
        return;
      }
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          this.opts.onOutput?.(name, buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      });
    };
    forward(proc.stdout);
    forward(proc.stderr);
    const exited = new Promise<number | null>((resolve) => {
      proc.once('exit', (code, signal) => {
        live.delete(proc);
        resolve(code ?? (signal ? 128 : null));
      });
      proc.once('error', (err) => {
        this.opts.report(`[supervisor] ${name} failed to start: ${err.message}`);
        resolve(null);
      });
    });
    const child: Child = { name, entry, proc, exited, restarts, log };
    this.children.set(name, child);
    void exited.then((code) => this.handleExit(child, code));
    this.opts.report(`[supervisor] started ${name} (pid ${proc.pid})`);
    return proc.pid;
  }

  private handleExit(child: Child, code: number | null): void {
    child.log?.end();
    if (this.stopping) return;
    const max = this.opts.maxRestarts ?? 5;
    if (this.opts.restart && child.restarts < max) {
      const delay = backoffMs(child.restarts + 1, 500, 30_000);
      this.opts.report(`[supervisor] ${child.name} exited (code ${code}); restarting in ${delay} ms`);
      setTimeout(() => {
        if (!this.stopping) this.start(child.name, child.entry, child.restarts + 1);
      }, delay).unref();
      return;
    }
    this.opts.report(`[supervisor] ${child.name} exited (code ${code}) and stays down`);
    this.failures.push({ name: child.name, code });
    this.onGiveUp?.(child.name, code);
  }

  /**
   * Stop the children one at a time in reverse start order (producers of work before its
   * consumers: ingest first, ops last): SIGTERM by PID, SIGKILL after the timeout, one line each.
   * Idempotent.
   */
  stopAll(): Promise<void> {
    this.stopping = true;
    this.stopped ??= (async () => {
      const timeout = this.opts.stopTimeoutMs ?? 20_000;
      for (const c of [...this.children.values()].reverse()) {
        if (c.proc.exitCode !== null || c.proc.signalCode !== null) continue;
        const t0 = Date.now();
        c.proc.kill('SIGTERM');
        const timer = setTimeout(() => {
          if (c.proc.exitCode === null && c.proc.signalCode === null) {
            this.opts.report(`[supervisor] ${c.name} (pid ${c.proc.pid}) did not stop in ${timeout} ms; SIGKILL`);
            c.proc.kill('SIGKILL');
          }
        }, timeout);
        const code = await c.exited;
        clearTimeout(timer);
        this.opts.report(`[supervisor] stopped ${c.name} (code ${code}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      }
    })();
    return this.stopped;
  }
}
