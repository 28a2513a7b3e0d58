/**
 * Shared pieces of the webhook suites: real HTTP partners on 127.0.0.1 that verify every request
 * with the `standardwebhooks` package, and a delivery worker on the real Redis with a unique
 * queue name and key prefix (removed afterwards).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { Queue } from 'bullmq';
import { toNinjs } from '@wire/normalize';
import { createLogger, createMetricsRegistry, type Registry } from '@wire/observability';
import { PartnerRegistry, RecipientsRegister, type PartnerInput } from '@wire/routing';
import { CanonicalStory, type CanonicalStoryInput } from '@wire/schema';
import type { SecretBox } from '@wire/secrets';
import { createDeliveryWorker, type DeliveryConfig, type DeliveryService } from '@wire/svc-webhooks';
import { testEnv, testSecretBox, uniqueName } from '../helpers/env';
import { deleteKeysMatching } from '@wire/infra';

export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  verified: boolean;
  /** Verified with each of these secrets (rotation checks). */
  verifiedWith: string[];
  body: { type: string; timestamp: string; data: { uri: string; version: string; headlines?: Array<{ value: string }>; language?: string } };
  /** What the partner answered. */
  status: number;
  at: number;
}

/** How the partner answers its nth request (0-based): a status, or take over the response. */
export type Behaviour = (req: IncomingMessage, res: ServerResponse, n: number, body: string) => number | 'handled' | Promise<number | 'handled'>;

export class PartnerServer {
  readonly received: Received[] = [];
  /** Every request, including ones that failed verification or got a non-2xx. */
  requests = 0;
  url = '';
  secrets: string[] = [];
  private server: Server;
  private readonly waiters: Array<() => void> = [];

  constructor(private behaviour: Behaviour = () => 200) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
  }

  setBehaviour(b: Behaviour): void {
    this.behaviour = b;
  }

  private async handle(req: IncomingMessage, res: ServerResponse, body: string) {
    const n = this.requests++;
    const headers = { 'webhook-id': String(req.headers['webhook-id']), 'webhook-timestamp': String(req.headers['webhook-timestamp']), 'webhook-signature': String(req.headers['webhook-signature']) };
    const verifiedWith = this.secrets.filter((s) => {
      try {
        new Webhook(s).verify(body, headers);
        return true;
      } catch {
        return false;
      }
    });
    let status: number | 'handled' = 401;
    if (verifiedWith.length > 0) status = await this.behaviour(req, res, n, body);
    if (status !== 'handled' && !res.headersSent) res.writeHead(status, { 'content-type': 'text/plain' }).end(`status ${status}`);
    this.received.push({
      id: headers['webhook-id'],
      timestamp: headers['webhook-timestamp'],
      signature: headers['webhook-signature'],
      verified: verifiedWith.length > 0,
      verifiedWith,
      body: JSON.parse(body) as Received['body'],
      status: status === 'handled' ? res.statusCode : status,
      at: Date.now(),
    });
    for (const w of this.waiters.splice(0)) w();
  }

  /** Successful (2xx) deliveries. */
  get delivered(): Received[] {
    return this.received.filter((r) => r.verified && r.status >= 200 && r.status < 300);
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/**
 * A partner behaviour answering 200 after `ms`, counting requests on the wire at once:
 * `most()` is the highest count seen.
 */
export function inFlightCounter(ms: number): { behaviour: Behaviour; most: () => number } {
  let inFlight = 0;
  let most = 0;
  return {
    behaviour: () => {
      most = Math.max(most, ++inFlight);
      return new Promise<number>((r) => setTimeout(() => {
        inFlight--;
        r(200);
      }, ms));
    },
    most: () => most,
  };
}

/** Poll until `check` holds (or fail after `timeoutMs` with `what`). */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

let seq = 0;
/** A canonical story with sensible defaults. */
export function story(extra: Partial<CanonicalStoryInput> = {}): CanonicalStory {
  seq++;
  return CanonicalStory.parse({
    uri: `urn:wire:yonhap:${uniqueName('guid')}-${seq}`,
    source: 'yonhap',
    guid: `g${seq}`,
    version: 1,
    language: 'en',
    headline: `Seoul stocks rise ${seq}`,
    bodyHtml: '<p>Stocks rose.</p>',
    body: ['Stocks rose.'],
    versionCreated: new Date().toISOString(),
    contentHash: `hash${seq}`,
    wordCount: 2,
    ...extra,
  });
}

/** Short schedules so the suite stays fast. */
export const FAST: Partial<DeliveryConfig> = {
  concurrency: 16,
  timeoutMs: 1_000,
  retryScheduleMs: [100, 200, 300],
  retryJitter: 0,
  retryAfterMinMs: 0,
  busyRetryMs: 30,
  partnerRatePerSec: 0,
};

export interface Harness {
  redis: Redis;
  prefix: string;
  registry: PartnerRegistry;
  recipients: RecipientsRegister;
  svc: DeliveryService;
  queue: Queue;
  /** The deliver queue's name (unique per harness). */
  queueName: string;
  metrics: Registry;
  partners: PartnerServer[];
  /** Start a partner server and register it. */
  partner(id: string, behaviour?: Behaviour, extra?: Partial<PartnerInput>): Promise<PartnerServer>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  forceClose?: boolean;
  /** Redis key prefix of partners and the service's keys (default: a unique one); removed on close. */
  prefix?: string;
  /** The key the registry opens partner secrets with (default: the test process's). */
  secretBox?: SecretBox;
  /** Start the worker at once (default true); false leaves `svc.worker.run()` to the test. */
  autorun?: boolean;
}

export async function harness(config: Partial<DeliveryConfig> = {}, opts: HarnessOptions = {}): Promise<Harness> {
  const env = testEnv();
  const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const prefix = opts.prefix ?? `${uniqueName('wire-test-wh')}:`;
  const registry = new PartnerRegistry(redis, { prefix, secretBox: opts.secretBox ?? testSecretBox(env) });
  const recipients = new RecipientsRegister(redis, { prefix });
  const queueName = uniqueName('wh-deliver');
  const metrics = createMetricsRegistry('webhooks-test', { defaults: false });
  const allow = (env.WIRE_ALLOW_PRIVATE_HOSTS ?? '127.0.0.1').split(',').map((s) => s.trim()).filter(Boolean);
  const svc = createDeliveryWorker({
    redis,
    registry,
    recipients,
    logger: createLogger({ name: 'test', level: 'silent' }),
    metrics,
    render: (s) => toNinjs(s),
    config: { ...FAST, allowPrivateHosts: allow, ...config, queueName, prefix },
    autorun: opts.autorun,
  });
  const partners: PartnerServer[] = [];
  return {
    redis,
    prefix,
    registry,
    recipients,
    svc,
    queue: svc.queue,
    queueName,
    metrics,
    partners,
    async partner(id, behaviour, extra = {}) {
      const server = await new PartnerServer(behaviour).start();
      const p = await registry.create({ id, name: id, url: server.url, ...extra });
      server.secrets = [p.secrets[0]!.secret];
      partners.push(server);
      return server;
    },
    async close() {
      await svc.close(opts.forceClose ?? true);
      await Promise.all(partners.map((p) => p.stop()));
      const q = new Queue(queueName, { connection: redis });
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
      // Only this run's keys: SCAN with our unique prefix, never FLUSH.
      await deleteKeysMatching(redis, `${prefix}*`);
      await redis.quit();
    },
  };
}
