/**
 * Partner secrets at rest, read from the outside: every key the registry and the delivery
 * service keep in Redis is read raw and holds no secret in any encoding; `wire secrets rekey`
 * moves every secret to a new key, after which a worker holding only the new key still delivers
 * what partners verify with the `standardwebhooks` package.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { deleteKeysMatching } from '@wire/infra';
import { Decision } from '@wire/schema';
import { currentSecret, PartnerRegistry, routeStory, RoutingErrorCodes } from '@wire/routing';
import { SecretBox, SecretsErrorCodes } from '@wire/secrets';
import { run as secretsCommand } from '../../packages/cli/src/commands/secrets';
import { runCommand } from '../helpers/cli';
import { testEnv, uniqueName } from '../helpers/env';
import { harness, PartnerServer, story, until, type Harness } from './harness';

const env = testEnv();
let h: Harness | undefined;
const servers: PartnerServer[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

const route = (hh: Harness) => routeStory({ registry: hh.registry, recipients: hh.recipients, deliverQueue: hh.queue }, story(), Decision.parse({ kind: 'new' }), { receivedAt: new Date().toISOString() });

/** Every value under the key patterns, raw: strings, hash fields and values, list/set/zset members, stream entries. */
async function readRaw(redis: Redis, patterns: string[]): Promise<{ keys: string[]; text: string }> {
  const keys: string[] = [];
  let text = '';
  for (const pattern of patterns) {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of found) {
        keys.push(key);
        const type = await redis.type(key);
        const values =
          type === 'string' ? [await redis.get(key)]
          : type === 'hash' ? Object.entries(await redis.hgetall(key)).flat()
          : type === 'list' ? await redis.lrange(key, 0, -1)
          : type === 'set' ? await redis.smembers(key)
          : type === 'zset' ? await redis.zrange(key, 0, -1)
          : type === 'stream' ? (await redis.xrange(key, '-', '+')).flatMap(([, fields]) => fields)
          : [];
        text += `${key}\n${values.join('\n')}\n`;
      }
    } while (cursor !== '0');
  }
  return { keys, text };
}

/** The ways a whsec_ secret could sit in Redis: whole, its base64 part, part of that, its bytes in hex and base64url. */
function spellings(secret: string): string[] {
  const b64 = secret.slice('whsec_'.length);
  const bytes = Buffer.from(b64, 'base64');
  return [secret, b64, b64.slice(0, 16), bytes.toString('hex'), bytes.toString('base64url')];
}

describe('partner secrets at rest', () => {
  it('no key the registry or the delivery service writes holds a secret, in any spelling', async () => {
    h = await harness();
    const daily = await h.partner('daily');
    const weekly = await h.partner('weekly');
    const first = daily.secrets[0]!;
    const rotated = (await h.registry.rotateSecret('daily', { graceMs: 60_000 }))!;
    daily.secrets = [rotated.secret];
    const given = `whsec_${randomBytes(32).toString('base64')}`;
    await h.registry.upsertMany([{ id: 'filed', name: 'From a partners file', url: 'https://filed.example/hook', secret: given }]);
    await h.registry.disable('weekly', 'checking the keys a disable writes');
    await h.registry.enable('weekly');
    await route(h);
    await until('both partners delivered', () => daily.delivered.length === 1 && weekly.delivered.length === 1);
    // The delivery used the rotated secret: the partner verifies with it alone.
    expect(daily.delivered[0]!.verifiedWith).toEqual([rotated.secret]);

    const secrets = [first, rotated.secret, weekly.secrets[0]!, given];
    expect(new Set(secrets).size).toBe(4);
    const raw = await readRaw(h.redis, [`${h.prefix}*`, `bull:${h.queueName}:*`]);
    expect(raw.keys).toContain(h.registry.key);
    expect(raw.keys.length).toBeGreaterThan(3);
    for (const secret of secrets) {
      for (const spelling of spellings(secret)) expect(raw.text.includes(spelling), `${spelling} found in Redis`).toBe(false);
    }
    // What is there instead: each stored secret sealed under the test key.
    const stored = Object.values(await h.redis.hgetall(h.registry.key)).flatMap((json) => (JSON.parse(json) as { secrets: Array<{ secret: string }> }).secrets.map((s) => s.secret));
    expect(stored).toHaveLength(4);
    for (const value of stored) expect(value).toMatch(/^enc:v1:k[\w-]{10}:/);
  });

  it('a registry without the key reads partners with their secrets sealed, and stores no new secret', async () => {
    h = await harness();
    await h.partner('daily');
    const routingOnly = new PartnerRegistry(h.redis, { prefix: h.prefix });
    const [p] = await routingOnly.list();
    expect(p).toMatchObject({ id: 'daily', url: expect.stringContaining('127.0.0.1') });
    expect(SecretBox.isSealed(currentSecret(p!))).toBe(true);
    await expect(routingOnly.create({ id: 'new', name: 'New', url: 'https://new.example/hook' })).rejects.toMatchObject({ code: RoutingErrorCodes.SECRETS_KEY });
    await expect(routingOnly.rotateSecret('daily')).rejects.toMatchObject({ code: RoutingErrorCodes.SECRETS_KEY });
    // An edit that keeps the secrets writes them back sealed as they were.
    await routingOnly.update('daily', { name: 'The Daily' });
    expect((await h.registry.get('daily'))!.name).toBe('The Daily');
  });
});

describe('wire secrets rekey', () => {
  it('moves every secret to the new key; a worker holding only the new key delivers what partners verify', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const prefix = `${uniqueName('wire-test-rekey')}:`;
    const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      // Two partners under the old key — one mid-rotation, so it holds two secrets — and one stored in the clear, as before sealing.
      const before = new PartnerRegistry(redis, { prefix, secretBox: new SecretBox({ key: oldKey }) });
      const daily = await new PartnerServer().start();
      const weekly = await new PartnerServer().start();
      const legacy = await new PartnerServer().start();
      servers.push(daily, weekly, legacy);
      const d = await before.create({ id: 'daily', name: 'The Daily', url: daily.url });
      const rotation = (await before.rotateSecret('daily', { graceMs: 3_600_000 }))!;
      daily.secrets = [rotation.secret, currentSecret(d)];
      weekly.secrets = [currentSecret(await before.create({ id: 'weekly', name: 'The Weekly', url: weekly.url }))];
      const clear = `whsec_${randomBytes(32).toString('base64')}`;
      const at = new Date().toISOString();
      await redis.hset(before.key, 'legacy', JSON.stringify({ id: 'legacy', name: 'Legacy', url: legacy.url, secrets: [{ secret: clear, createdAt: at }], createdAt: at, updatedAt: at }));
      legacy.secrets = [clear];

      const rekeyEnv = { REDIS_URL: env.REDIS_URL, WIRE_REDIS_PREFIX: prefix, WIRE_SECRETS_KEY: newKey.toString('base64'), WIRE_SECRETS_OLD_KEYS: oldKey.toString('hex') };
      const newBox = new SecretBox({ key: newKey });
      const r = await runCommand(secretsCommand, ['rekey'], rekeyEnv);
      expect(r.code).toBe(0);
      expect(r.out).toBe(`re-sealed 4 secrets of 3 partners under key ${newBox.keyId} (3 partners; 0 secrets already under it)\n`);
      expect(r.err).toContain('rekey: 3/3 partners');

      // Raw: every secret sealed under the new key; the clear one is gone.
      const raw = Object.values(await redis.hgetall(before.key)).join('\n');
      expect(raw.match(/enc:v1:k[\w-]{10}:/g)).toEqual(Array(4).fill(`enc:v1:${newBox.keyId}:`));
      for (const spelling of spellings(clear)) expect(raw.includes(spelling)).toBe(false);
      // The old key alone no longer opens them; a second run has nothing to do.
      await expect(before.get('weekly')).rejects.toMatchObject({ code: SecretsErrorCodes.UNKNOWN_KEY });
      const again = await runCommand(secretsCommand, ['rekey'], rekeyEnv);
      expect(again.out).toBe(`re-sealed 0 secrets of 0 partners under key ${newBox.keyId} (3 partners; 4 secrets already under it)\n`);

      // A delivery worker with only the new key: both secrets of the rotating partner still sign.
      h = await harness({}, { prefix, secretBox: newBox });
      await route(h);
      await until('three partners delivered', () => daily.delivered.length === 1 && weekly.delivered.length === 1 && legacy.delivered.length === 1);
      expect(daily.received[0]!.signature.split(' ')).toHaveLength(2);
      expect(daily.delivered[0]!.verifiedWith).toEqual([rotation.secret, currentSecret(d)]);
      for (const s of [daily, weekly, legacy]) expect(s.received.map((x) => x.verified)).toEqual([true]);
    } finally {
      if (!h) await deleteKeysMatching(redis, `${prefix}*`);
      await redis.quit();
    }
  });

  it('refuses to run without a key, naming the variable; keygen prints a key it accepts', async () => {
    const missing = await runCommand(secretsCommand, ['rekey'], { REDIS_URL: env.REDIS_URL });
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/config error: WIRE_SECRETS_KEY: required/);
    const bad = await runCommand(secretsCommand, ['rekey'], { REDIS_URL: env.REDIS_URL, WIRE_SECRETS_KEY: 'hunter2hunter2' });
    expect(bad.err).toMatch(/config error: WIRE_SECRETS_KEY: expected 32 bytes/);
    expect(bad.err).not.toContain('hunter2');
    const key = await runCommand(secretsCommand, ['keygen'], {});
    expect(key.code).toBe(0);
    expect(Buffer.from(key.out.trim(), 'base64')).toHaveLength(32);
    expect((await runCommand(secretsCommand, ['spin'], {})).code).toBe(2);
  });
});
