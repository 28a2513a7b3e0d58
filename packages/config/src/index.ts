/**
 * @wire/config — zod helpers for reading environment variables once, at a service's edge.
 *
 * Packages never read `process.env`; each service's `main.ts` calls `loadConfig(Schema, process.env)`
 * and passes the typed result down.
 */
import { z } from 'zod';
import { parseAllowEntry } from '@wire/netguard';
import { parseSecretsKey, SecretBox } from '@wire/secrets';

export { envOptionalSecretToken, envSecretToken, estimatedBits, tokenWeakness, MIN_TOKEN_BITS, MIN_TOKEN_LENGTH } from './secret-token';

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

/**
 * A boolean read the way people write it in an environment: `true/1/yes/on` and `false/0/no/off`.
 * `z.coerce.boolean()` would read `"false"` as true; anything else here is rejected with its value.
 */
export function envBoolean(defaultValue: boolean) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return defaultValue;
      const v = raw.trim().toLowerCase();
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return false;
      ctx.addIssue({ code: 'custom', message: `expected true/false/1/0/yes/no/on/off, got "${raw}"` });
      return z.NEVER;
    });
}

/** A whole number in [min, max], given as a string in the environment. */
export function envInt(defaultValue: number, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return defaultValue;
      const n = Number(raw.trim());
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected a whole number from ${min} to ${max}, got "${raw}"` });
        return z.NEVER;
      }
      return n;
    });
}

/** A comma-separated list; blanks dropped. */
export function envList(defaultValue: string[] = []) {
  return z
    .string()
    .optional()
    .transform((raw) =>
      raw === undefined ? defaultValue : raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0),
    );
}

/** An absolute http(s) or redis URL. */
export function envUrl(defaultValue: string, protocols: string[] = ['http:', 'https:']) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const value = raw === undefined || raw.trim() === '' ? defaultValue : raw.trim();
      try {
        const u = new URL(value);
        if (!protocols.includes(u.protocol)) throw new Error('protocol');
        return value;
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected a URL (${protocols.join(' or ')}), got "${value}"` });
        return z.NEVER;
      }
    });
}

/** A string with a default; empty counts as unset. */
export function envString(defaultValue: string) {
  return z
    .string()
    .optional()
    .transform((raw) => (raw === undefined || raw === '' ? defaultValue : raw));
}

/** A string that must be set (non-empty). */
export function envRequired() {
  return z.string({ error: 'required but not set' }).min(1, 'required but empty');
}

/**
 * A network-guard allow list: comma-separated host names, IP addresses and CIDRs, each entry
 * checked (`@wire/netguard`). Undefined when unset, so a per-use list
 * (`WIRE_IMAGE_ALLOW_PRIVATE_HOSTS`) falls back to the shared one; set but empty means none.
 */
export function envAllowList() {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return undefined;
      const entries = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      for (const entry of entries) {
        const parsed = parseAllowEntry(entry);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error.message });
      }
      return entries;
    });
}

const SECRETS_KEY_HELP = '32 random bytes as base64 or hex that seal partner secrets in Redis (`wire secrets keygen` prints one)';

/** One secrets key, required; never echoed in an error. */
export function envSecretsKey() {
  return z.string({ error: `required: ${SECRETS_KEY_HELP}` }).transform((raw, ctx) => {
    if (raw.trim() === '') {
      ctx.addIssue({ code: 'custom', message: `required but empty: ${SECRETS_KEY_HELP}` });
      return z.NEVER;
    }
    const key = parseSecretsKey(raw);
    if (!key.ok) {
      ctx.addIssue({ code: 'custom', message: key.error.message });
      return z.NEVER;
    }
    return key.value;
  });
}

/** Comma-separated secrets keys (old keys kept during a rotation); empty when unset. */
export function envSecretsKeys() {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const keys: Buffer[] = [];
      (raw ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
        .forEach((text, i) => {
          const key = parseSecretsKey(text);
          if (key.ok) keys.push(key.value);
          else ctx.addIssue({ code: 'custom', message: `key ${i + 1}: ${key.error.message}` });
        });
      return keys;
    });
}

/**
 * The variables of a process that reads or writes partner secrets (ops, webhooks, `wire secrets`):
 * the key new values are sealed under, and old keys that still open values sealed before a rotation.
 */
export const SecretsEnv = {
  WIRE_SECRETS_KEY: envSecretsKey(),
  WIRE_SECRETS_OLD_KEYS: envSecretsKeys(),
} as const;

/** The SecretBox of a configuration parsed with `SecretsEnv`. */
export function secretBoxOf(config: { WIRE_SECRETS_KEY: Buffer; WIRE_SECRETS_OLD_KEYS: Buffer[] }): SecretBox {
  return new SecretBox({ key: config.WIRE_SECRETS_KEY, oldKeys: config.WIRE_SECRETS_OLD_KEYS });
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The variables every service shares (CONTRACTS.md, "Environment"). Defaults match `wire infra up`. */
export const CommonEnv = {
  KAFKA_BROKERS: envList(['127.0.0.1:9092']),
  REDIS_URL: envUrl('redis://127.0.0.1:6379', ['redis:', 'rediss:']),
  S3_ENDPOINT: envUrl('http://127.0.0.1:9000'),
  S3_BUCKET: envString('wire'),
  S3_REGION: envString('us-east-1'),
  S3_ACCESS_KEY_ID: envString('wire-local'),
  S3_SECRET_ACCESS_KEY: envString('wire-local-secret'),
  S3_PUBLIC_BASE_URL: z.string().url().optional(),
  APERTIUM_URL: envUrl('http://127.0.0.1:2737'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** Shared default of `WIRE_IMAGE_ALLOW_PRIVATE_HOSTS` and `WIRE_WEBHOOK_ALLOW_PRIVATE_HOSTS`. */
  WIRE_ALLOW_PRIVATE_HOSTS: envAllowList().transform((list) => list ?? []),
  /** Address the services' HTTP servers listen on; 0.0.0.0 only inside a container whose ports are published on the host's 127.0.0.1. */
  BIND_HOST: envString('127.0.0.1'),
} as const;

export const CommonConfigSchema = z.object(CommonEnv);
export type CommonConfig = z.infer<typeof CommonConfigSchema>;

/** The S3 settings (`@wire/s3`) of a configuration parsed with `CommonEnv`. */
export function s3SettingsOf(config: Pick<CommonConfig, 'S3_ENDPOINT' | 'S3_REGION' | 'S3_BUCKET' | 'S3_ACCESS_KEY_ID' | 'S3_SECRET_ACCESS_KEY' | 'S3_PUBLIC_BASE_URL'>) {
  return {
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    bucket: config.S3_BUCKET,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    publicBaseUrl: config.S3_PUBLIC_BASE_URL,
  };
}

/** Raised by `loadConfig`; `lines` holds one line per bad variable. */
export class ConfigError extends Error {
  readonly code = 'WIRE_ERR_CONFIG';
  constructor(readonly lines: string[]) {
    super(`invalid configuration:\n${lines.map((l) => `  ${l}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parse `env` with `schema`. On failure throws a `ConfigError` whose `lines` name each bad
 * variable and why, one per line, e.g. `PORT: expected a whole number from 1 to 65535, got "http"`.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.map(String).join('.') || '(environment)';
    return `${name}: ${issue.message}`;
  });
  throw new ConfigError(lines);
}

/**
 * Load config where the caller decides what a failure means (a CLI command returning its exit
 * code): on failure write `config error: <line>` per bad variable and return undefined.
 */
export function loadConfigOrReport<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
  stderr: { write(line: string): unknown },
): z.infer<S> | undefined {
  try {
    return loadConfig(schema, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const line of err.lines) stderr.write(`config error: ${line}\n`);
    return undefined;
  }
}

/**
 * Load config in a `main.ts`, with a schema or the service's own loader (one that checks more
 * than the schema and throws `ConfigError`): on failure print `<name>: config error: <line>` per
 * bad variable to stderr and exit 1.
 */
export function loadConfigOrExit<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>, name?: string): z.infer<S>;
export function loadConfigOrExit<T>(load: (env: Record<string, string | undefined>) => T, env: Record<string, string | undefined>, name?: string): T;
export function loadConfigOrExit(source: z.ZodType | ((env: Record<string, string | undefined>) => unknown), env: Record<string, string | undefined>, name?: string): unknown {
  try {
    return typeof source === 'function' ? source(env) : loadConfig(source, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const line of err.lines) process.stderr.write(`${name ? `${name}: ` : ''}config error: ${line}
`);
      process.exit(1);
    }
    throw err;
  }
}
