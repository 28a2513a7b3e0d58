import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { DeliveryErrorCodes, DeliveryErrors, WebhookErrorCodes, WebhookErrors } from './errors';
import { generateSecret, parseSecret, sign, signatureHeader, verifySignature, webhookHeaders } from './signing';

// The fixed vector every Standard Webhooks reference library checks
// (tests/fixtures/standard-webhooks/SOURCES.md).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signing', () => {
  it('matches the spec test vector', () => {
    const out = sign(VECTOR.secret, { id: VECTOR.id, timestamp: VECTOR.timestamp, payload: VECTOR.payload });
    expect(out).toEqual({ ok: true, value: VECTOR.signature });
  });

  it('signs Buffers the same as strings', () => {
    const out = sign(VECTOR.secret, { id: VECTOR.id, timestamp: VECTOR.timestamp, payload: Buffer.from(VECTOR.payload) });
    expect(out.ok && out.value).toBe(VECTOR.signature);
  });

  it('produces headers the standardwebhooks library verifies, with either secret during rotation', () => {
    const oldSecret = generateSecret();
    const newSecret = generateSecret();
    const payload = JSON.stringify({ type: 'story.published', timestamp: new Date().toISOString(), data: { uri: 'x' } });
    const headers = webhookHeaders([newSecret, oldSecret], { id: 'msg_abc', timestamp: Math.floor(Date.now() / 1000), payload });
    expect(headers.ok).toBe(true);
    if (!headers.ok) return;
    expect(headers.value['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const secret of [oldSecret, newSecret]) {
      expect(new Webhook(secret).verify(payload, headers.value)).toEqual(JSON.parse(payload));
    }
    expect(() => new Webhook(generateSecret()).verify(payload, headers.value)).toThrow();
  });

  it('verifies its own signatures and rejects a changed body', () => {
    const input = { id: VECTOR.id, timestamp: VECTOR.timestamp, payload: VECTOR.payload };
    expect(verifySignature(VECTOR.secret, input, `v1,bogus ${VECTOR.signature}`)).toBe(true);
    expect(verifySignature(VECTOR.secret, { ...input, payload: '{"test": 2432232315}' }, VECTOR.signature)).toBe(false);
  });

  it('refuses secrets outside 24–64 bytes and ids with a dot', () => {
    const short = parseSecret('whsec_' + Buffer.alloc(8).toString('base64'));
    expect(!short.ok && short.error.code).toBe(WebhookErrorCodes.SECRET_FORMAT);
    const notB64 = parseSecret('whsec_***');
    expect(!notB64.ok && notB64.error.code).toBe(WebhookErrorCodes.SECRET_FORMAT);
    const dotted = signatureHeader([VECTOR.secret], { id: 'msg.1', timestamp: 1, payload: '' });
    expect(!dotted.ok && dotted.error.code).toBe(WebhookErrorCodes.SIGN_INPUT);
  });

  it('documents every error code', () => {
    for (const code of Object.values(WebhookErrorCodes)) expect(WebhookErrors.spec(code).message).toBeTruthy();
    for (const code of Object.values(DeliveryErrorCodes)) expect(DeliveryErrors.spec(code).message).toBeTruthy();
  });
});
