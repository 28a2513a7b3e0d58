import type { Logger } from 'pino';

type Step = { name: string; run: () => Promise<unknown> | unknown };

/**
 * Ordered teardown for a process. Register steps in the order they must run (stop taking work,
 * finish in-flight work, close clients, flush logs). `shutdown()` runs every step even when one
 * fails, keeps its promise so a second call is harmless, and gives up after `timeoutMs`.
 */
export class ShutdownManager {
  private readonly steps: Step[] = [];
  private running: Promise<boolean> | undefined;

  constructor(
    private readonly log: Logger,
    private readonly timeoutMs = 15_000,
  ) {}

  /** Add a teardown step; steps run in the order added. */
  add(name: string, run: Step['run']): this {
    this.steps.push({ name, run });
    return this;
  }

  /** Run every step once. Resolves true when all steps succeeded within the timeout. */
  shutdown(reason = 'shutdown'): Promise<boolean> {
    this.running ??= this.runSteps(reason);
    return this.running;
  }

  private async runSteps(reason: string): Promise<boolean> {
    this.log.info({ reason, steps: this.steps.length }, 'shutting down');
    let ok = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
      timer.unref();
    });
    const all = (async () => {
      for (const step of this.steps) {
        try {
          await step.run();
        } catch (err) {
          ok = false;
          this.log.error({ err, step: step.name }, 'shutdown step failed');
        }
      }
    })();
    const outcome = await Promise.race([all.then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.log.error({ timeoutMs: this.timeoutMs }, 'shutdown timed out');
      return false;
    }
    this.log.info({ ok }, 'shut down');
    return ok;
  }

  /**
   * Trap SIGTERM and SIGINT: run the steps, then exit 0 (or 1 if a step failed or timed out).
   * A second signal while shutting down exits at once.
   */
  trapSignals(exit: (code: number) => void = (code) => process.exit(code)): void {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        this.log.warn({ signal }, 'second signal, exiting now');
        exit(1);
        return;
      }
      signalled = true;
      void this.shutdown(signal).then((ok) => exit(ok ? 0 : 1));
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
}
