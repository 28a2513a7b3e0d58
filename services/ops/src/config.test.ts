import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@wire/config';
import { loadOpsConfig } from './config';

const token = randomBytes(24).toString('base64url');

function lines(env: Record<string, string | undefined>): string[] {
  try {
    loadOpsConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.lines;
    throw err;
  }
  return [];
}

describe('ops config', () => {
  it('refuses the placeholders people leave in, docker-compose.yml\'s old default among them, and predictable tokens', () => {
    for (const bad of ['change-me-local-ops-token', 'change-me', 'changeme', 'please-change-this-token', 'replace-me-ops-token-123', 'aaaaaaaaaaaaaaaaaaaaaaaa', 'abcdefghijklmnopqrstuvwxyz']) {
      const l = lines({ OPS_TOKEN: bad });
      expect(l, bad).toHaveLength(1);
      expect(l[0]).toMatch(/^OPS_TOKEN: (is a placeholder|must be at least 16|too predictable)/);
    }
  });

  it('takes a metrics token only when it is strong too, and leaves /metrics open when it is unset or empty', () => {
    expect(loadOpsConfig({ OPS_TOKEN: token }).OPS_METRICS_TOKEN).toBeUndefined();
    expect(loadOpsConfig({ OPS_TOKEN: token, OPS_METRICS_TOKEN: '' }).OPS_METRICS_TOKEN).toBeUndefined();
    expect(lines({ OPS_TOKEN: token, OPS_METRICS_TOKEN: 'changeme-metrics' })[0]).toMatch(/^OPS_METRICS_TOKEN: is a placeholder/);
    const metrics = randomBytes(24).toString('base64url');
    expect(loadOpsConfig({ OPS_TOKEN: token, OPS_METRICS_TOKEN: metrics }).OPS_METRICS_TOKEN).toBe(metrics);
  });

  it('reads the browser-facing settings and names each bad one', () => {
    const c = loadOpsConfig({ OPS_TOKEN: token, OPS_ALLOWED_HOSTS: 'ops.newsroom.example, ops:8080,[::1]:8080', OPS_PUBLIC_URL: 'https://ops.newsroom.example', OPS_TRUST_PROXY: 'loopback,10.0.0.0/8,::1' });
    expect(c.OPS_ALLOWED_HOSTS).toEqual(['ops.newsroom.example', 'ops:8080', '[::1]:8080']);
    expect(c.OPS_PUBLIC_URL).toBe('https://ops.newsroom.example');
    expect(c.OPS_TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8', '::1']);
    expect(loadOpsConfig({ OPS_TOKEN: token })).toMatchObject({ OPS_ALLOWED_HOSTS: [], OPS_TRUST_PROXY: [] });
    const bad = lines({ OPS_TOKEN: token, OPS_ALLOWED_HOSTS: 'http://ops.example/', OPS_PUBLIC_URL: 'ftp://ops.example', OPS_TRUST_PROXY: 'everyone' });
    expect(bad.map((l) => l.split(':')[0]).sort()).toEqual(['OPS_ALLOWED_HOSTS', 'OPS_PUBLIC_URL', 'OPS_TRUST_PROXY']);
  });
});
