import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@wire/config';
import { ConfigSchema, fromEnv } from './config';

/** The one variable the service cannot start without. */
const KEY = { WIRE_SECRETS_KEY: randomBytes(32).toString('base64') };

describe('webhooks config', () => {
  it('defaults to the Standard Webhooks schedule and the shared prefixes', () => {
    const c = fromEnv(loadConfig(ConfigSchema, KEY));
    expect(c.retryScheduleMs).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(c).toMatchObject({ queueName: 'deliver', prefix: 'wire:', bullPrefix: 'bull', timeoutMs: 15_000, allowPrivateHosts: [] });
  });

  it('reads a schedule with units and the allow list', () => {
    const c = fromEnv(loadConfig(ConfigSchema, { ...KEY, WEBHOOK_RETRY_SCHEDULE: '1s, 2m', WIRE_ALLOW_PRIVATE_HOSTS: '127.0.0.1,10.0.0.0/8' }));
    expect(c.retryScheduleMs).toEqual([1_000, 120_000]);
    expect(c.allowPrivateHosts).toEqual(['127.0.0.1', '10.0.0.0/8']);
  });

  it('takes the partners\' own allow list over the shared one; set but empty means none', () => {
    const shared = { ...KEY, WIRE_ALLOW_PRIVATE_HOSTS: '127.0.0.1,localhost' };
    expect(fromEnv(loadConfig(ConfigSchema, { ...shared, WIRE_WEBHOOK_ALLOW_PRIVATE_HOSTS: 'partners.internal, 10.2.0.0/16' })).allowPrivateHosts).toEqual(['partners.internal', '10.2.0.0/16']);
    expect(fromEnv(loadConfig(ConfigSchema, { ...shared, WIRE_WEBHOOK_ALLOW_PRIVATE_HOSTS: '' })).allowPrivateHosts).toEqual([]);
    expect(fromEnv(loadConfig(ConfigSchema, shared)).allowPrivateHosts).toEqual(['127.0.0.1', 'localhost']);
  });

  it('refuses to start without a secrets key, or with a bad allow-list entry, naming each', () => {
    try {
      loadConfig(ConfigSchema, { WIRE_WEBHOOK_ALLOW_PRIVATE_HOSTS: '10.0.0.0/40', WIRE_ALLOW_PRIVATE_HOSTS: 'metadata.google.internal', WIRE_SECRETS_OLD_KEYS: 'short' });
      expect.unreachable();
    } catch (e) {
      const lines = (e as ConfigError).lines.join('\n');
      expect(lines).toMatch(/^WIRE_SECRETS_KEY: required: 32 random bytes/m);
      expect(lines).toMatch(/^WIRE_SECRETS_OLD_KEYS: key 1: expected 32 bytes/m);
      expect(lines).toMatch(/^WIRE_WEBHOOK_ALLOW_PRIVATE_HOSTS: allow-list entry "10.0.0.0\/40": not an IP address or CIDR/m);
      expect(lines).toMatch(/^WIRE_ALLOW_PRIVATE_HOSTS: allow-list entry "metadata.google.internal": a cloud metadata host can never be allowed/m);
    }
  });

  it('names each bad variable', () => {
    try {
      loadConfig(ConfigSchema, { ...KEY, WEBHOOK_RETRY_SCHEDULE: '5 fortnights', WEBHOOK_TIMEOUT_MS: 'soon' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const lines = (e as ConfigError).lines.join('\n');
      expect(lines).toMatch(/WEBHOOK_RETRY_SCHEDULE: "5 fortnights" is not a duration/);
      expect(lines).toMatch(/WEBHOOK_TIMEOUT_MS: expected a whole number/);
    }
  });
});
