/**
 * The partners' endpoints: HTTP servers on 127.0.0.1 that verify every webhook with the
 * `standardwebhooks` package (the library partners use) and answer as their behaviour says —
 * slowly, 5xx or not at all at random, 410 once gone, 422 to some stories. Each records what it
 * answered 2xx to (the ledger's "delivered"), and can be taken down and brought back on its port.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { Receipt } from './ledger';
import { seededFor, type PartnerSpec } from './plan';
import { WEBHOOK_TIMEOUT_MS } from './stack';

/** How long a "timing out" partner holds a request: past the webhook timeout the run configures. */
const HOLD_MS = WEBHOOK_TIMEOUT_MS + 1_500;

/** Arrival order shared by every partner of a run. */
export class ArrivalClock {
  private n = 0;
  next(): number {
    return ++this.n;
  }
}

/** Facts about a webhook's body the ledger and the picture check need. */
interface Body {
  type: string;
  uri: string;
  version: number;
  /** Rendition hrefs of the pictures the version carries (empty when it has none or none stored). */
  renditions: string[];
  pictures: number;
}

function describe(raw: string): Body {
  const b = JSON.parse(raw) as { type?: string; data?: { uri?: string; version?: string | number; associations?: Array<{ type?: string; renditions?: Array<{ href?: string }> }> } };
  const pictures = (b.data?.associations ?? []).filter((a) => a.type === 'picture');
  return {
    type: String(b.type ?? '?'),
    uri: String(b.data?.uri ?? '?'),
    version: Number(b.data?.version ?? 0),
    renditions: pictures.flatMap((a) => (a.renditions ?? []).map((r) => r.href ?? '').filter(Boolean)),
    pictures: pictures.length,
  };
}

const headerOf = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
};

export class PartnerEndpoint {
  /** 2xx answers, in the order they were sent. */
  readonly receipts: Array<Receipt & { pictures: number; renditions: string[] }> = [];
  /** Requests by what they were answered: `200`, `503`, `410`, `422`, `timeout`, `401`… */
  readonly answers: Record<string, number> = {};
  /** Every answer in order (arrival seq, answer time, status, what it was), for the run's report. */
  readonly journal: Array<{ seq: number; at: number; status: string; webhookId: string; type: string; uri: string; version: number }> = [];
  /** When it first answered 410 (ms since epoch). */
  goneAt: number | undefined;
  url = '';
  private server: Server | undefined;
  private port = 0;
  private verifier: Webhook | undefined;
  private accepted = 0;
  private readonly random: () => number;
  private readonly holds = new Set<NodeJS.Timeout>();

  constructor(
    readonly spec: PartnerSpec,
    private readonly clock: ArrivalClock,
    seed: number,
  ) {
    this.random = seededFor(seed, Number.parseInt(createHash('sha1').update(spec.id).digest('hex').slice(0, 8), 16));
  }

  /** The secret the ops API returned at registration. */
  setSecret(secret: string): void {
    this.verifier = new Webhook(secret);
  }

  get isUp(): boolean {
    return this.server !== undefined;
  }

  /** Listen (on the same port as before, after an outage). */
  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}/hooks/${this.spec.id}`;
    this.server = server;
  }

  /** Stop listening and cut every connection (requests in flight get no answer). */
  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const t of this.holds) clearTimeout(t);
    this.holds.clear();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private count(answer: string, seq: number, webhookId: string, raw: string): void {
    this.answers[answer] = (this.answers[answer] ?? 0) + 1;
    let body = { type: '?', uri: '?', version: 0 };
    try {
      body = describe(raw);
    } catch {
      // Not JSON: journaled with what the headers say.
    }
    this.journal.push({ seq, at: Date.now(), status: answer, webhookId, type: body.type, uri: body.uri, version: body.version });
  }

  private handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const seq = this.clock.next();
    const webhookId = headerOf(req, 'webhook-id');
    try {
      if (!this.verifier) throw new Error('no secret yet');
      this.verifier.verify(raw, { 'webhook-id': webhookId, 'webhook-timestamp': headerOf(req, 'webhook-timestamp'), 'webhook-signature': headerOf(req, 'webhook-signature') });
    } catch {
      // A webhook whose signature does not verify is refused and never counted as delivered.
      this.count('401', seq, webhookId, raw);
      res.writeHead(401).end();
      return;
    }
    const b = this.spec.behaviour;
    const answer = (status: number) => {
      if (!this.server) return; // taken down meanwhile: no answer
      res.once('finish', () => {
        this.count(String(status), seq, webhookId, raw);
        if (status >= 200 && status < 300) {
          const body = describe(raw);
          this.receipts.push({ partner: this.spec.id, webhookId, seq, at: Date.now(), type: body.type, uri: body.uri, version: body.version, pictures: body.pictures, renditions: body.renditions });
        }
      });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(`${status}`);
    };
    if (b.goneAfter !== undefined && this.accepted >= b.goneAfter) {
      this.goneAt ??= Date.now();
      answer(410);
      return;
    }
    if (b.rejectOneIn && Number.parseInt(createHash('sha1').update(webhookId).digest('hex').slice(0, 8), 16) % b.rejectOneIn === 0) {
      answer(422);
      return;
    }
    if (b.timeout && this.random() < b.timeout) {
      // Hold past the sender's timeout, then drop the connection: the sender never sees an answer.
      const t = setTimeout(() => {
        this.holds.delete(t);
        this.count('timeout', seq, webhookId, raw);
        res.destroy();
      }, HOLD_MS);
      this.holds.add(t);
      return;
    }
    if (b.fail5xx && this.random() < b.fail5xx) {
      answer(503);
      return;
    }
    this.accepted++;
    const [min, max] = b.slowMs ?? [0, 0];
    const delay = min + Math.floor(this.random() * (max - min + 1));
    if (delay <= 0) answer(200);
    else {
      const t = setTimeout(() => {
        this.holds.delete(t);
        answer(200);
      }, delay);
      this.holds.add(t);
    }
  }
}
