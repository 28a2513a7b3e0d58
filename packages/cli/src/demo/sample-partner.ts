import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';

/** One webhook a sample partner received. */
export interface Receipt {
  partner: string;
  webhookId: string;
  type: string;
  uri: string;
  version: number;
  language: string | undefined;
  headline: string;
  /** True when the signature verified (unverified webhooks are answered 401 and not kept). */
  verified: boolean;
  at: Date;
}

export interface SamplePartner {
  id: string;
  url: string;
  receipts: Receipt[];
  /** Set the signing secret the ops API returned (shown once, at create). */
  setSecret(secret: string): void;
  close(): Promise<void>;
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

/** Pick the fields the demo reports from a webhook body (`{type, timestamp, data: ninjs}`). */
function describe(body: unknown): Pick<Receipt, 'type' | 'uri' | 'version' | 'language' | 'headline'> {
  const b = (body ?? {}) as { type?: unknown; data?: Record<string, unknown> };
  const data = b.data ?? {};
  const headlines = Array.isArray(data.headlines) ? (data.headlines as Array<{ value?: unknown }>) : [];
  const headline = typeof headlines[0]?.value === 'string' ? headlines[0].value : typeof data.headline === 'string' ? data.headline : '';
  return {
    type: typeof b.type === 'string' ? b.type : '?',
    uri: typeof data.uri === 'string' ? data.uri : '?',
    version: Number(data.version ?? 0),
    language: typeof data.language === 'string' ? data.language : undefined,
    headline,
  };
}

/**
 * A partner outlet for the demo: an HTTP server on loopback that verifies each webhook's
 * signature with the `standardwebhooks` package (the library partners use), answers 204 when it
 * verifies and 401 when it does not, and reports what it received.
 */
export async function startSamplePartner(id: string, print: (line: string) => void): Promise<SamplePartner> {
  let verifier: Webhook | undefined;
  const receipts: Receipt[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let verified = false;
      let body: unknown;
      try {
        body = verifier?.verify(raw, {
          'webhook-id': header(req.headers, 'webhook-id'),
          'webhook-timestamp': header(req.headers, 'webhook-timestamp'),
          'webhook-signature': header(req.headers, 'webhook-signature'),
        });
        verified = verifier !== undefined;
      } catch (err) {
        print(`[partner ${id}] REJECTED a webhook: ${(err as Error).message}`);
      }
      if (!verified) {
        res.writeHead(401).end();
        return;
      }
      const r: Receipt = { partner: id, webhookId: header(req.headers, 'webhook-id'), verified, at: new Date(), ...describe(body) };
      const repeat = receipts.some((x) => x.webhookId === r.webhookId);
      if (!repeat) receipts.push(r);
      print(
        `[partner ${id}] ${r.type} ${r.uri} v${r.version} (${r.language ?? '?'}) "${r.headline.slice(0, 60)}" signature ok${repeat ? ' (repeat, dropped)' : ''}`,
      );
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    id,
    url: `http://127.0.0.1:${port}/webhooks/${id}`,
    receipts,
    setSecret(secret) {
      verifier = new Webhook(secret);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
