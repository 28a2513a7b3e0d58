import type { Redis } from 'ioredis';

/** One translate job that ended for good (e.g. an unsupported pair), kept for ops. */
export interface TranslateFailureRecord {
  at: string;
  jobId?: string;
  storyUri: string;
  version: number;
  targetLanguage: string;
  code: string;
  message: string;
  partnerIds: string[];
}

export type FailureRecorder = (record: TranslateFailureRecord) => Promise<void>;

/** Keep the newest `max` failures in a Redis list (`{prefix}translate:failures`), newest first. */
export function createRedisFailureRecorder(redis: Redis, opts: { prefix?: string; max?: number } = {}): FailureRecorder & { key: string } {
  const key = `${opts.prefix ?? 'wire:'}translate:failures`;
  const max = opts.max ?? 1000;
  const record = async (r: TranslateFailureRecord) => {
    await redis.multi().lpush(key, JSON.stringify(r)).ltrim(key, 0, max - 1).exec();
  };
  return Object.assign(record, { key });
}
