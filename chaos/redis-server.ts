/**
 * The run's own Redis: Debian's `redis-server` on a loopback port of its own, persisting with an
 * append-only file (`--appendonly yes --appendfsync everysec`) in the run's data folder, so a
 * restart keeps queued deliveries, registers, claims and logs. Started and stopped by PID.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { Redis } from 'ioredis';

export class OwnRedis {
  private proc: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly logFile: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Start it (loading the append-only file left by an earlier start) and wait for PONG. */
  async start(): Promise<void> {
    if (this.proc) return;
    mkdirSync(this.dir, { recursive: true });
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const proc = spawn(
      'redis-server',
      ['--bind', '127.0.0.1', '--port', String(this.port), '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction', '--daemonize', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stdout?.pipe(log, { end: false });
    proc.stderr?.pipe(log, { end: false });
    this.exited = new Promise<void>((resolve) => {
      proc.once('exit', () => {
        log.end();
        if (this.proc === proc) this.proc = undefined;
        resolve();
      });
      proc.once('error', () => resolve());
    });
    this.proc = proc;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const client = new Redis(this.url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
      client.on('error', () => undefined);
      try {
        await client.connect();
        // While it loads the append-only file Redis answers LOADING; PING passes only once loaded.
        if ((await client.ping()) === 'PONG') return;
      } catch {
        // Not listening or still loading: try again below.
      } finally {
        client.disconnect();
      }
      if (!this.proc) throw new Error(`redis-server on port ${this.port} exited while starting (see ${this.logFile})`);
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not answer within 30 s (see ${this.logFile})`);
      await sleep(100);
    }
  }

  /** SIGTERM (Redis writes and syncs its append-only file on the way out), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}
