import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { activeSecrets, currentSecret, loadPartnersFile, PartnerRegistry, RoutingErrorCodes } from '@wire/routing';
import { testEnv, testSecretBox, uniqueName } from '../helpers/env';

let redis: Redis;
let registry: PartnerRegistry;
let prefix: string;
const clock = Date.parse('2026-11-28T00:00:00Z');

beforeAll(() => {
  redis = new Redis(testEnv().REDIS_URL ?? 'redis://127.0.0.1:6379');
  prefix = `${uniqueName('wire-test-reg')}:`;
  registry = new PartnerRegistry(redis, { prefix, now: () => clock, secretBox: testSecretBox() });
});
afterAll(async () => {
  await redis.del(registry.key);
  await redis.quit();
});

describe('PartnerRegistry (Redis)', () => {
  it('creates partners with a whsec_ secret, lists, updates and deletes them', async () => {
    const p = await registry.create({ id: 'daily', name: 'The Daily', url: 'https://daily.example/hooks', filters: { languages: ['en'] } });
    expect(currentSecret(p)).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(currentSecret(p).slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
    await expect(registry.create({ id: 'daily', name: 'x', url: 'https://x.example' })).rejects.toMatchObject({ code: RoutingErrorCodes.PARTNER_EXISTS });
    await expect(registry.create({ id: 'bad id', name: 'x', url: 'ftp://x' })).rejects.toMatchObject({ code: RoutingErrorCodes.PARTNER_INVALID });
    await registry.create({ id: 'aaa', name: 'A', url: 'https://a.example' });
    expect((await registry.list()).map((x) => x.id)).toEqual(['aaa', 'daily']);
    const u = await registry.update('daily', { translateTo: ['es'] });
    expect(u).toMatchObject({ translateTo: ['es'], filters: { languages: ['en'] } });
    expect(await registry.update('nobody', { name: 'n' })).toBeUndefined();
    expect(await registry.delete('aaa')).toBe(true);
    expect(await registry.get('aaa')).toBeUndefined();
  });

  it('rotates secrets: both sign during the grace period, only the new one after', async () => {
    const before = currentSecret((await registry.get('daily'))!);
    const rotated = await registry.rotateSecret('daily', { graceMs: 60_000 });
    expect(rotated!.secret).not.toBe(before);
    expect(activeSecrets(rotated!.partner, clock)).toEqual([rotated!.secret, before]);
    expect(activeSecrets(rotated!.partner, clock + 61_000)).toEqual([rotated!.secret]);
  });

  it('disables and enables with a reason', async () => {
    expect(await registry.disable('daily', 'manual')).toMatchObject({ disabled: true, disabledReason: 'manual' });
    const e = await registry.enable('daily');
    expect(e!.disabled).toBe(false);
    expect(e!.disabledReason).toBeUndefined();
  });

  it('loads a declarative partners file, keeping secrets of existing partners', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'partners-'));
    try {
      const file = join(dir, 'partners.json');
      const secret = currentSecret((await registry.get('daily'))!);
      await writeFile(file, JSON.stringify({ partners: [{ id: 'daily', name: 'The Daily (renamed)', url: 'https://daily.example/v2' }, { id: 'new1', name: 'New', url: 'https://new.example', allCopies: true }] }));
      const loaded = await loadPartnersFile(registry, file);
      expect(loaded).toEqual({ ok: true, value: ['daily', 'new1'] });
      expect(await registry.get('daily')).toMatchObject({ name: 'The Daily (renamed)', url: 'https://daily.example/v2' });
      expect(currentSecret((await registry.get('daily'))!)).toBe(secret);
      expect((await registry.get('new1'))!.allCopies).toBe(true);
      await writeFile(file, '{"partners": [{"id": "x"}]}');
      const bad = await loadPartnersFile(registry, file);
      expect(!bad.ok && bad.error.code).toBe(RoutingErrorCodes.PARTNERS_FILE);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
