/**
 * What a chaos run asks the ops HTTP API (CONTRACTS.md, "Ops HTTP API"): partner registration,
 * and afterwards the reasons — delivery dead letters, the delivery log, a partner's disabled state.
 */
import { retry } from '@wire/retry';
import type { DeadLetterFact, LogFact } from './ledger';
import type { PartnerSpec } from './plan';

export class OpsClient {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  /** One request, tried again while ops cannot answer (its Redis or Kafka may be restarting). */
  private async call<T>(method: string, path: string, body?: unknown, expect = 200): Promise<T> {
    const answer = async (): Promise<T> => {
      const res = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      if (res.status === expect) return JSON.parse(text) as T;
      throw Object.assign(new Error(`${res.status} ${text.slice(0, 200)}`), { status: res.status });
    };
    // Only a 5xx or no answer at all is worth another try; a 4xx is the answer.
    const unanswered = (err: unknown) => ((err as { status?: number }).status ?? 500) >= 500;
    return retry(answer, { initialMs: 1000, maxMs: 1000, attempts: 30, retryIf: unanswered }).catch((err: Error) => {
      throw new Error(`ops ${method} ${path}: ${err.message}`);
    });
  }

  /** Register a partner; returns its signing secret (shown once). */
  async createPartner(p: PartnerSpec, url: string): Promise<string> {
    const created = await this.call<{ secret: string }>(
      'POST',
      '/api/partners',
      { id: p.id, name: p.id, url, ...(p.filters ? { filters: p.filters } : {}), ...(p.translateTo ? { translateTo: p.translateTo } : {}), ...(p.allCopies ? { allCopies: true } : {}) },
      201,
    );
    return created.secret;
  }

  async partner(id: string): Promise<{ disabled?: boolean; disabledReason?: string }> {
    return this.call('GET', `/api/partners/${encodeURIComponent(id)}`);
  }

  /** Delivery dead letters, newest first (the API gives at most 1,000). */
  async deliveryDeadLetters(): Promise<DeadLetterFact[]> {
    const out = await this.call<{ deadLetters: DeadLetterFact[] }>('GET', '/api/dead-letters?kind=delivery&limit=1000');
    return out.deadLetters;
  }

  /** A partner's dead-lettered attempts from the delivery log (each with its error), newest 1,000. */
  async deadAttempts(partner: string): Promise<DeadLetterFact[]> {
    const q = new URLSearchParams({ partner, status: 'dead', limit: '1000' });
    const out = await this.call<{ deliveries: Array<LogFact & { partnerId: string; error?: { code: string; message: string } }> }>('GET', `/api/deliveries?${q}`);
    return out.deliveries.map((d) => ({ partnerId: d.partnerId, storyUri: d.storyUri, version: d.version, eventType: d.eventType, variant: d.variant, code: d.error?.code ?? '', reason: d.error?.message ?? '' }));
  }

  /** The delivery log of one partner and story (every attempt: delivered, retrying, dead, stale…). */
  async deliveryLog(partner: string, story: string): Promise<LogFact[]> {
    const q = new URLSearchParams({ partner, story, limit: '1000' });
    const out = await this.call<{ deliveries: LogFact[] }>('GET', `/api/deliveries?${q}`);
    return out.deliveries;
  }
}
