/**
 * Requests this process has on the wire per partner, and batch jobs waiting for one of them to
 * finish: a batch the gate held back entirely at the partner's cap waits here for a slot of its
 * own process's to free up (at most `waitersPerPartner` such jobs per partner, so a hung partner
 * never holds more of the worker than that) instead of being parked and fetched again. The
 * partner's cap itself is the gate's (in Redis, across processes); this only says when asking
 * the gate again is worth it.
 */
export class PartnerInFlight {
  private readonly partners = new Map<string, { requests: number; waiters: Array<(freed: boolean) => void> }>();

  constructor(private readonly waitersPerPartner = 2) {}

  /** Counts `request` as on the wire to the partner until it settles; then wakes one waiter. */
  track<T>(partnerId: string, request: Promise<T>): Promise<T> {
    let w = this.partners.get(partnerId);
    if (!w) this.partners.set(partnerId, (w = { requests: 0, waiters: [] }));
    const wire = w;
    wire.requests++;
    return request.finally(() => {
      wire.requests--;
      wire.waiters.shift()?.(true);
      if (wire.requests === 0 && wire.waiters.length === 0) this.partners.delete(partnerId);
    });
  }

  /**
   * Wait for one of this process's requests to the partner to finish (true), at most `maxMs`
   * (false); false at once when that is not worth it: none on the wire, or enough batches
   * already waiting.
   */
  slotFreed(partnerId: string, maxMs: number): Promise<boolean> | false {
    const w = this.partners.get(partnerId);
    if (!w || w.requests === 0 || w.waiters.length >= this.waitersPerPartner) return false;
    return new Promise<boolean>((resolve) => {
      const done = (freed: boolean) => {
        clearTimeout(timer);
        resolve(freed);
      };
      const timer = setTimeout(() => {
        const i = w.waiters.indexOf(done);
        if (i >= 0) w.waiters.splice(i, 1);
        resolve(false);
      }, maxMs);
      w.waiters.push(done);
    });
  }

  /** Every waiting batch gives up at once (the service is closing: they park what they hold). */
  wakeAll(): void {
    for (const w of this.partners.values()) for (const waiter of w.waiters.splice(0)) waiter(false);
  }
}
