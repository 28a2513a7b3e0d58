import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@wire/config';
import { ConfigSchema, fromEnv } from './config';

describe('webhooks config', () => {
  it('defaults to the Standard Webhooks schedule and the shared prefixes', () => {
    const c = fromEnv(loadConfig(ConfigSchema, {}));
    expect(c.retryScheduleMs).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(c).toMatchObject({ queueName: 'deliver', prefix: 'wire:', bullPrefix: 'bull', timeoutMs: 15_000, allowPrivateHosts: [] });
  });

  it('reads a schedule with units and the allow list', () => {
    const c = fromEnv(loadConfig(ConfigSchema, { WEBHOOK_RETRY_SCHEDULE: '1s, 2m', WIRE_ALLOW_PRIVATE_HOSTS: '127.0.0.1,10.0.0.0/8' }));
    expect(c.retryScheduleMs).toEqual([1_000, 120_000]);
    expect(c.allowPrivateHosts).toEqual(['127.0.0.1', '10.0.0.0/8']);
  });

  it('names each bad variable', () => {
    try {
      loadConfig(ConfigSchema, { WEBHOOK_RETRY_SCHEDULE: '5 fortnights', WEBHOOK_TIMEOUT_MS: 'soon' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const lines = (e as ConfigError).lines.join('\n');
      expect(lines).toMatch(/WEBHOOK_RETRY_SCHEDULE: "5 fortnights" is not a duration/);
      expect(lines).toMatch(/WEBHOOK_TIMEOUT_MS: expected a whole number/);
    }
  });
});
