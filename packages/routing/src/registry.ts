import type { Redis } from 'ioredis';
import { SecretBox } from '@wire/secrets';
import { generateSecret } from '@wire/webhooks/signing';
import { RoutingError, RoutingErrorCodes } from './errors';
import { describeIssues, Partner, PartnerInput, PartnerPatch, type PartnerSecret } from './partner';

/**
 * The Redis key of a partner's continuous-failure clock (written by the delivery worker, cleared
 * when the partner is re-enabled so it gets a fresh window). Keys of one partner share the
 * `{p:<id>}` hash tag.
 */
export function partnerFailingKey(prefix: string, partnerId: string): string {
  return `${prefix}{p:${partnerId}}:failing`;
}

export interface PartnerRegistryOptions {
  /** Redis key prefix, e.g. `wire:` (tests use a unique one). */
  prefix?: string;
  /** Reuse a partner read for this long in this process, ms (0 = always read Redis). */
  cacheMs?: number;
  /** Default grace period of the previous secret after a rotation, ms (24 h). */
  rotationGraceMs?: number;
  /**
   * Seals partner secrets in Redis and opens them on read (ops, webhooks, `wire secrets`).
   * Without one the registry still reads partners, their secrets left sealed (all routing needs:
   * ingest, the translator), but refuses to store a new secret (`WIRE_ERR_PARTNER_SECRETS_KEY`).
   */
  secretBox?: SecretBox;
  now?: () => number;
}

/** What `rekey` did. */
export interface RekeyReport {
  /** Partners in the registry. */
  partners: number;
  /** Partners rewritten (at least one secret under another key, or in the clear). */
  rewritten: number;
  /** Secrets re-sealed under the current key. */
  resealed: number;
  /** Secrets already under the current key. */
  current: number;
}

/** Authenticated with each sealed secret, so a value copied onto another partner does not open. */
const secretContext = (partnerId: string) => `partner:${partnerId}`;

/**
 * Partners live in one Redis hash (`{prefix}partners`, id → JSON), so every worker and the ops
 * API see the same registry. Workers may cache reads briefly (`cacheMs`); writes go straight
 * through and clear this process's cache. Signing secrets are stored sealed (AES-256-GCM under
 * the `secretBox` key, @wire/secrets), never in the clear.
 *
 * @example
 * const registry = new PartnerRegistry(redis, { prefix: 'wire:', secretBox: new SecretBox({ key }) });
 * const p = await registry.create({ id: 'daily', name: 'The Daily', url: 'https://daily.example/hooks' });
 * currentSecret(p); // whsec_…
 */
export class PartnerRegistry {
  readonly key: string;
  private readonly prefix: string;
  private readonly cacheMs: number;
  private readonly graceMs: number;
  private readonly now: () => number;
  private readonly box: SecretBox | undefined;
  private readonly cache = new Map<string, { at: number; partner: Partner | undefined }>();

  constructor(
    private readonly redis: Redis,
    options: PartnerRegistryOptions = {},
  ) {
    this.prefix = options.prefix ?? 'wire:';
    this.key = `${this.prefix}partners`;
    this.cacheMs = options.cacheMs ?? 0;
    this.graceMs = options.rotationGraceMs ?? 24 * 3600_000;
    this.box = options.secretBox;
    this.now = options.now ?? Date.now;
  }

  /** Add a partner; generates its first `whsec_` secret unless one is given. Throws PARTNER_EXISTS / PARTNER_INVALID. */
  async create(input: PartnerInput): Promise<Partner> {
    const parsed = PartnerInput.safeParse(input);
    if (!parsed.success) {
      throw new RoutingError(RoutingErrorCodes.PARTNER_INVALID, `partner: ${describeIssues(parsed.error)}`);
    }
    const { secret, ...rest } = parsed.data;
    const at = new Date(this.now()).toISOString();
    const partner = Partner.parse({ ...rest, secrets: [{ secret: secret ?? generateSecret(), createdAt: at }], createdAt: at, updatedAt: at });
    const added = await this.redis.hsetnx(this.key, partner.id, this.encode(partner));
    if (added === 0) {
      throw new RoutingError(RoutingErrorCodes.PARTNER_EXISTS, `partner ${partner.id}: already exists`, { id: partner.id });
    }
    this.cache.delete(partner.id);
    return partner;
  }

  /** The partner, or undefined. */
  async get(id: string): Promise<Partner | undefined> {
    if (this.cacheMs > 0) {
      const hit = this.cache.get(id);
      if (hit && this.now() - hit.at < this.cacheMs) return hit.partner;
    }
    const raw = await this.redis.hget(this.key, id);
    const partner = raw ? this.decode(raw) : undefined;
    if (this.cacheMs > 0) this.cache.set(id, { at: this.now(), partner });
    return partner;
  }

  /** Every partner, sorted by id. */
  async list(): Promise<Partner[]> {
    const all = await this.redis.hvals(this.key);
    return all.map((raw) => this.decode(raw)).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Change fields of a partner; undefined when it does not exist. Throws PARTNER_INVALID. */
  async update(id: string, patch: PartnerPatch): Promise<Partner | undefined> {
    const parsed = PartnerPatch.safeParse(patch);
    if (!parsed.success) {
      throw new RoutingError(RoutingErrorCodes.PARTNER_INVALID, `partner ${id}: ${describeIssues(parsed.error)}`, { id });
    }
    return this.mutate(id, (p) => ({ ...p, ...parsed.data }));
  }

  /** Remove a partner; true when it existed. */
  async delete(id: string): Promise<boolean> {
    this.cache.delete(id);
    return (await this.redis.hdel(this.key, id)) > 0;
  }

  /**
   * A new current secret; the old one keeps signing (both signatures are sent) until the grace
   * period ends. Returns the partner and the new secret, or undefined for an unknown id.
   */
  async rotateSecret(id: string, options: { graceMs?: number; secret?: string } = {}): Promise<{ partner: Partner; secret: string } | undefined> {
    const secret = options.secret ?? generateSecret();
    const now = this.now();
    const expiresAt = new Date(now + (options.graceMs ?? this.graceMs)).toISOString();
    const partner = await this.mutate(id, (p) => {
      const previous: PartnerSecret[] = p.secrets
        .map((s, i) => (i === 0 ? { ...s, expiresAt } : s))
        .filter((s) => s.expiresAt !== undefined && Date.parse(s.expiresAt) > now);
      return { ...p, secrets: [{ secret, createdAt: new Date(now).toISOString() }, ...previous] };
    });
    return partner ? { partner, secret } : undefined;
  }

  /** Stop deliveries to a partner (jobs for it dead-letter until it is enabled and they are replayed). */
  async disable(id: string, reason: string): Promise<Partner | undefined> {
    return this.mutate(id, (p) => ({ ...p, disabled: true, disabledReason: reason, disabledAt: new Date(this.now()).toISOString() }));
  }

  /**
   * Disable only if enabled, so that of several workers noticing the same failure exactly one
   * reports it (`changed: true`). Undefined for an unknown id.
   */
  async disableIfEnabled(id: string, reason: string): Promise<{ partner: Partner; changed: boolean } | undefined> {
    const lock = `${this.key}:disabling:${id}`;
    if ((await this.redis.set(lock, '1', 'PX', 5_000, 'NX')) !== 'OK') {
      const current = await this.get(id);
      return current ? { partner: current, changed: false } : undefined;
    }
    try {
      this.cache.delete(id);
      const current = await this.get(id);
      if (!current) return undefined;
      if (current.disabled) return { partner: current, changed: false };
      const partner = await this.disable(id, reason);
      return partner ? { partner, changed: true } : undefined;
    } finally {
      await this.redis.del(lock);
    }
  }

  /** Resume deliveries to a partner (and restart its failure clock). */
  async enable(id: string): Promise<Partner | undefined> {
    await this.redis.del(partnerFailingKey(this.prefix, id));
    return this.mutate(id, (p) => {
      const { disabledReason: _r, disabledAt: _a, ...rest } = p;
      return { ...rest, disabled: false };
    });
  }

  /**
   * Create or replace partners from declarative definitions (the partners file). A partner that
   * exists keeps its secrets unless the definition gives one; returns the ids written.
   */
  async upsertMany(inputs: PartnerInput[]): Promise<string[]> {
    const ids: string[] = [];
    for (const input of inputs) {
      const parsed = PartnerInput.safeParse(input);
      if (!parsed.success) {
        throw new RoutingError(RoutingErrorCodes.PARTNER_INVALID, `partner ${String((input as { id?: unknown }).id)}: ${describeIssues(parsed.error)}`);
      }
      const { secret, ...fields } = parsed.data;
      const existing = await this.get(fields.id);
      if (!existing) {
        await this.create(input);
      } else {
        await this.mutate(fields.id, (p) => {
          const secrets = secret && secret !== p.secrets[0]!.secret ? [{ secret, createdAt: new Date(this.now()).toISOString() }] : p.secrets;
          return { ...p, ...fields, secrets };
        });
      }
      ids.push(fields.id);
    }
    return ids;
  }

  /**
   * Read-modify-write. Last writer wins: partner edits are rare (ops API, auto-disable) and a
   * WATCH/MULTI would be unsafe on a connection the workers share with other commands.
   */
  private async mutate(id: string, change: (p: Partner) => Partner): Promise<Partner | undefined> {
    this.cache.delete(id);
    const raw = await this.redis.hget(this.key, id);
    if (!raw) return undefined;
    const next = Partner.parse({ ...change(this.decode(raw)), updatedAt: new Date(this.now()).toISOString() });
    await this.redis.hset(this.key, id, this.encode(next));
    this.cache.delete(id);
    return next;
  }

  /**
   * Re-seal every partner secret under the current key: values under an old key, and values
   * stored in the clear before secrets were sealed. Each partner is rewritten under WATCH/MULTI on
   * a connection of its own, so a partner edited meanwhile (a rotation) is read again, never
   * overwritten with what was read before. `onProgress` is called after each partner.
   */
  async rekey(onProgress?: (done: number, total: number) => void): Promise<RekeyReport> {
    const box = this.requireBox('re-sealing partner secrets');
    const ids = (await this.redis.hkeys(this.key)).sort();
    const report: RekeyReport = { partners: ids.length, rewritten: 0, resealed: 0, current: 0 };
    const conn = this.redis.duplicate();
    try {
      for (const [i, id] of ids.entries()) {
        for (let attempt = 1; ; attempt++) {
          await conn.watch(this.key);
          const raw = await conn.hget(this.key, id);
          const secrets = raw ? Partner.parse(JSON.parse(raw)).secrets : [];
          const stale = secrets.filter((s) => !box.isCurrent(s.secret)).length;
          if (!raw || stale === 0) {
            await conn.unwatch();
            report.current += secrets.length;
            break;
          }
          const written = await conn.multi().hset(this.key, id, this.encode(this.decode(raw))).exec();
          if (written) {
            report.rewritten++;
            report.resealed += stale;
            report.current += secrets.length - stale;
            break;
          }
          // EXEC answered null: the hash changed since WATCH; read this partner again.
          if (attempt >= 50) throw new Error(`partner ${id}: the registry kept changing during rekey; run it again`);
        }
        onProgress?.(i + 1, ids.length);
      }
    } finally {
      await conn.quit().catch(() => conn.disconnect());
    }
    this.cache.clear();
    return report;
  }

  /** A stored partner, its secrets opened when this registry holds the key. */
  private decode(raw: string): Partner {
    const stored = Partner.parse(JSON.parse(raw));
    const box = this.box;
    if (!box) return stored;
    const context = secretContext(stored.id);
    return { ...stored, secrets: stored.secrets.map((s) => (SecretBox.isSealed(s.secret) ? { ...s, secret: box.open(s.secret, context) } : s)) };
  }

  /** The JSON stored for a partner: every secret sealed under the current key. */
  private encode(partner: Partner): string {
    const context = secretContext(partner.id);
    const secrets = partner.secrets.map((s) => {
      // Read without the key and written back unchanged (a registry that only routes).
      if (SecretBox.isSealed(s.secret)) return s;
      return { ...s, secret: this.requireBox(`storing a secret of partner ${partner.id}`).seal(s.secret, context) };
    });
    return JSON.stringify({ ...partner, secrets });
  }

  private requireBox(what: string): SecretBox {
    if (!this.box) throw new RoutingError(RoutingErrorCodes.SECRETS_KEY, `${what}: this registry has no secrets key (WIRE_SECRETS_KEY)`);
    return this.box;
  }
}
