import { z } from 'zod';

/**
 * Marks of a value someone was meant to replace, looked for in the token lowercased with
 * everything but letters and digits removed (`Change_Me` → `changeme`). docker-compose.yml's old
 * default `change-me-local-ops-token` is caught by `changeme`.
 */
const PLACEHOLDER_MARKS = [
  'changeme',
  'changethis',
  'replaceme',
  'replacethis',
  'pleasechange',
  'placeholder',
  'yourtoken',
  'yoursecret',
  'notasecret',
  'notsecret',
  'insecure',
  'example',
  'dummy',
  'password',
  'qwerty',
];

/** Shortest token accepted, and the least estimated entropy (see `estimatedBits`). */
export const MIN_TOKEN_LENGTH = 16;
export const MIN_TOKEN_BITS = 64;

/**
 * A cautious entropy estimate: every character counts `log2(pool)` bits (the pool being the
 * character classes the token uses: lower, upper, digits, other) unless it continues a pattern
 * the two before it started — a block repeated with a period of 1 to 4 (`aaaa`, `abab`,
 * `abcabc`) or a run with the same step of -1, 0 or 1 (`1234`, `dcba`). A random base64url token
 * of 24 bytes scores well over 100 (32 characters of about 6 bits); `abcdefghijklmnopqrstuvwx` about 9.
 */
export function estimatedBits(token: string): number {
  const pool =
    (/[a-z]/.test(token) ? 26 : 0) + (/[A-Z]/.test(token) ? 26 : 0) + (/[0-9]/.test(token) ? 10 : 0) + (/[^a-zA-Z0-9]/.test(token) ? 33 : 0);
  const codes = [...token].map((c) => c.codePointAt(0)!);
  const repeats = (i: number, period: number) => i >= period && codes[i] === codes[i - period];
  let fresh = 0;
  for (let i = 0; i < codes.length; i++) {
    const step = codes[i]! - codes[i - 1]!;
    const run = i >= 2 && Math.abs(step) <= 1 && step === codes[i - 1]! - codes[i - 2]!;
    const block = [1, 2, 3, 4].some((p) => repeats(i, p) && repeats(i - 1, p));
    if (!run && !block) fresh++;
  }
  return fresh * Math.log2(Math.max(pool, 1));
}

/**
 * Why `token` is too weak to guard anything (a known placeholder, too short, too predictable),
 * or undefined when it will do. The message never repeats the token.
 *
 * @example
 * tokenWeakness('change-me-local-ops-token'); // 'is a placeholder ("changeme"): …'
 * tokenWeakness(randomBytes(24).toString('base64url')); // undefined
 */
export function tokenWeakness(token: string): string | undefined {
  const advice = 'generate one with `openssl rand -base64 32`';
  const normalized = token.toLowerCase().replace(/[^a-z0-9]/g, '');
  const mark = PLACEHOLDER_MARKS.find((m) => normalized.includes(m));
  if (mark) return `is a placeholder ("${mark}"): ${advice}`;
  if ([...token].length < MIN_TOKEN_LENGTH) return `must be at least ${MIN_TOKEN_LENGTH} characters: ${advice}`;
  const bits = estimatedBits(token);
  if (bits < MIN_TOKEN_BITS) return `too predictable (about ${Math.round(bits)} bits, at least ${MIN_TOKEN_BITS} needed: repeats, runs or too few kinds of character): ${advice}`;
  return undefined;
}

/** A required secret token (bearer token) from the environment, refused when `tokenWeakness` finds it weak. */
export function envSecretToken() {
  return z.string({ error: 'required but not set' }).min(1, { error: 'required but empty', abort: true }).superRefine((token, ctx) => {
    const why = tokenWeakness(token);
    if (why) ctx.addIssue({ code: 'custom', message: why });
  });
}

/** Like `envSecretToken`, for a token that may be left unset (empty counts as unset). */
export function envOptionalSecretToken() {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return undefined;
      const why = tokenWeakness(raw);
      if (why) {
        ctx.addIssue({ code: 'custom', message: why });
        return z.NEVER;
      }
      return raw;
    });
}
