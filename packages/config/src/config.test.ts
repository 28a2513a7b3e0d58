import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CommonConfigSchema, ConfigError, envBoolean, envInt, loadConfig, loadConfigOrReport } from './index';

describe('loadConfig', () => {
  const Schema = z.object({ ...CommonConfigSchema.shape, PORT: envInt(8080, 1, 65535), DEBUG: envBoolean(false) });

  it('applies defaults that match wire infra up', () => {
    const cfg = loadConfig(Schema, {});
    expect(cfg.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(cfg.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(cfg.PORT).toBe(8080);
    expect(cfg.DEBUG).toBe(false);
  });

  it('reads "false" as false, unlike z.coerce.boolean', () => {
    expect(loadConfig(Schema, { DEBUG: 'false' }).DEBUG).toBe(false);
    expect(loadConfig(Schema, { DEBUG: 'ON' }).DEBUG).toBe(true);
  });

  it('names every bad variable on its own line', () => {
    try {
      loadConfig(Schema, { PORT: 'http', DEBUG: 'maybe', REDIS_URL: 'localhost:6379' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const lines = (err as ConfigError).lines;
      expect(lines).toHaveLength(3);
      expect(lines.find((l) => l.startsWith('PORT: '))).toContain('"http"');
      expect(lines.find((l) => l.startsWith('DEBUG: '))).toContain('"maybe"');
      expect(lines.find((l) => l.startsWith('REDIS_URL: '))).toContain('localhost:6379');
    }
  });

  it('reports each bad variable as a "config error" line and returns undefined for CLI callers', () => {
    const lines: string[] = [];
    expect(loadConfigOrReport(Schema, { PORT: '0', DEBUG: 'nope' }, { write: (l: string) => lines.push(l) })).toBeUndefined();
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => /^config error: (PORT|DEBUG): .*\n$/.test(l))).toBe(true);
    expect(loadConfigOrReport(Schema, {}, { write: (l: string) => lines.push(l) })?.PORT).toBe(8080);
  });
});
