/**
 * Standard Webhooks signing (spec v1.0.0, symmetric `v1` scheme): HMAC-SHA256 over
 * `msg_id.timestamp.payload` with the base64-decoded `whsec_` secret, sent as `v1,<base64>`.
 * Pure: node:crypto only, no I/O. Expected failures are results, not throws.
 *
 * Also the package's subpath export `@wire/webhooks/signing`: signing without the HTTP client
 * (undici) or the queue code (bullmq) behind the package's main entry.
 *
 * @example
 * import { webhookHeaders } from '@wire/webhooks/signing';
 * const h = webhookHeaders([secret], { id: 'msg_1', timestamp: Math.floor(Date.now() / 1000), payload: body });
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { err, ok, type Result } from '@wire/schema';
import { WebhookError, WebhookErrorCodes } from './errors';

/** The error a signing result carries, and its codes (`result.error.code`). */
export { WebhookError, WebhookErrorCodes, type WebhookErrorCode } from './errors';

const SECRET_PREFIX = 'whsec_';
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;

/** A fresh `whsec_` secret of 32 random bytes (the spec allows 24–64). */
export function generateSecret(bytes = 32): string {
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/**
 * The key bytes of a `whsec_<base64>` secret. The prefix is optional on input (the reference
 * libraries accept both); the decoded key must be 24–64 bytes.
 */
export function parseSecret(secret: string): Result<Buffer, WebhookError> {
  const b64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
    return err(new WebhookError(WebhookErrorCodes.SECRET_FORMAT, 'secret: not base64 after the whsec_ prefix'));
  }
  const key = Buffer.from(b64, 'base64');
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    return err(
      new WebhookError(
        WebhookErrorCodes.SECRET_FORMAT,
        `secret: decodes to ${key.length} bytes, the spec requires ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES}`,
        { bytes: key.length },
      ),
    );
  }
  return ok(key);
}

// Decoded keys of recently used secrets: every delivery signs, and decoding is half the cost.
const keyCache = new Map<string, Result<Buffer, WebhookError>>();
function cachedKey(secret: string): Result<Buffer, WebhookError> {
  let key = keyCache.get(secret);
  if (!key) {
    key = parseSecret(secret);
    if (keyCache.size >= 1000) keyCache.clear();
    keyCache.set(secret, key);
  }
  return key;
}

/** What is signed: the message id, the attempt's unix timestamp (seconds) and the exact body. */
export interface SignInput {
  id: string;
  timestamp: number;
  payload: string | Buffer;
}

function checkInput(input: SignInput): WebhookError | undefined {
  if (input.id.includes('.') || input.id.length === 0) {
    return new WebhookError(WebhookErrorCodes.SIGN_INPUT, `webhook-id: "${input.id}" is empty or contains "."`);
  }
  if (!Number.isInteger(input.timestamp) || input.timestamp < 0) {
    return new WebhookError(WebhookErrorCodes.SIGN_INPUT, `webhook-timestamp: ${input.timestamp} is not whole unix seconds`);
  }
  return undefined;
}

function hmac(key: Buffer, input: SignInput): Buffer {
  return createHmac('sha256', key).update(`${input.id}.${input.timestamp}.`).update(input.payload).digest();
}

/** The signature in base64: one update for a string body, the digest encoded by node:crypto. */
function hmacBase64(key: Buffer, input: SignInput): string {
  const h = createHmac('sha256', key);
  if (typeof input.payload === 'string') return h.update(`${input.id}.${input.timestamp}.${input.payload}`).digest('base64');
  return h.update(`${input.id}.${input.timestamp}.`).update(input.payload).digest('base64');
}

/**
 * One `v1,<base64>` signature.
 *
 * @example
 * sign('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', { id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330, payload: '{"test": 2432232314}' })
 * // → { ok: true, value: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' }
 */
export function sign(secret: string, input: SignInput): Result<string, WebhookError> {
  const bad = checkInput(input);
  if (bad) return err(bad);
  const key = cachedKey(secret);
  if (!key.ok) return key;
  return ok(`v1,${hmacBase64(key.value, input)}`);
}

/**
 * The `webhook-signature` header value: one signature per secret, space separated — during a
 * secret rotation the current and the previous secret both sign, so either verifies.
 */
export function signatureHeader(secrets: readonly string[], input: SignInput): Result<string, WebhookError> {
  if (secrets.length === 1) return sign(secrets[0]!, input);
  const parts: string[] = [];
  for (const secret of secrets) {
    const s = sign(secret, input);
    if (!s.ok) return s;
    parts.push(s.value);
  }
  return ok(parts.join(' '));
}

/** The three Standard Webhooks headers plus the JSON content type, ready to send. */
export function webhookHeaders(secrets: readonly string[], input: SignInput): Result<Record<string, string>, WebhookError> {
  const signature = signatureHeader(secrets, input);
  if (!signature.ok) return signature;
  return ok({
    'content-type': 'application/json',
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': signature.value,
  });
}

/**
 * True when any `v1` signature in `header` matches `secret` (constant-time compare). For the
 * local sample partner and tests; it does not check the timestamp tolerance.
 */
export function verifySignature(secret: string, input: SignInput, header: string): boolean {
  const key = parseSecret(secret);
  if (!key.ok || checkInput(input)) return false;
  const expected = hmac(key.value, input);
  return header.split(' ').some((part) => {
    const [version, b64] = part.split(',', 2);
    if (version !== 'v1' || !b64) return false;
    const got = Buffer.from(b64, 'base64');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
}
