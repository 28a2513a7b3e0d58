/** Command-line numbers, percentiles and Redis CPU readings, shared by the benchmarks. */
import type { Redis } from 'ioredis';

/**
 * `--name N` as a number: positive (or zero with `allowZero`), floored with `whole`; anything
 * else (missing, not a number, out of range) gives `fallback`.
 */
export function flag(argv: string[], name: string, fallback: number, opts: { allowZero?: boolean; whole?: boolean } = {}): number {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : NaN;
  if (!Number.isFinite(v) || v < 0 || (v === 0 && !opts.allowZero)) return fallback;
  return opts.whole ? Math.floor(v) : v;
}

/** `--name VALUE` as a string, if given. */
export function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** The `p`th percentile of ascending `sorted` (nearest rank); NaN when empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Microseconds of CPU (user + system) the Redis server has used since it started (INFO cpu). */
export async function redisCpuMicros(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const seconds = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? NaN);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6;
}
