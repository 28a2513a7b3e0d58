import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Queues, TranslateJob } from '@wire/queues';
import type { Logger } from '@wire/observability';
import { canceledVariant, isTranslateError, noTranslatorReason, variantUri, pairKey, TranslateError, TranslateErrorCodes, type StoryTranslator, type TranslateErrorCode } from '@wire/translate';
import type { FailureRecorder } from './failures';
import type { TranslatorMetrics } from './metrics';
import type { UntranslatedRouter, VariantRouter } from './route';

export interface TranslateWorkerDeps {
  storyTranslator: StoryTranslator;
  routeVariant: VariantRouter;
  /**
   * Settles a job no configured provider translates (the job then completes, skipped). Without
   * it such a job fails at once, as any error that cannot succeed on retry.
   */
  routeUntranslated?: UntranslatedRouter;
  metrics: TranslatorMetrics;
  logger: Logger;
  recordFailure?: FailureRecorder;
  /** Language of stories that do not say (default `en`), for metric labels. */
  defaultSourceLanguage?: string;
}

/** What a finished job returns (kept by BullMQ as the job's return value). */
export interface TranslateJobResult {
  variantUri: string;
  provider: string;
  cached: boolean;
  deliverJobIds: string[];
  missingTerms: string[];
  /** The languages the text went through (`['gl', 'es', 'en']` through a pivot); absent for a cache hit or a kill. */
  path?: string[];
  /** Set when no provider translates the pair: `no translator for sv→es`. */
  skipped?: string;
}

/**
 * The job handler: validate, translate (or, for a kill, make the canceled variant), hand the
 * variant to routing. A provider that is down throws a retryable error, so BullMQ retries with the
 * job's backoff; a pair no provider translates, directly or through a pivot, is not a failure: the
 * job completes as skipped ("no translator for sv→es") and `routeUntranslated` gives each partner
 * what its settings say. Other errors that cannot succeed (and an invalid job) end the job at once
 * (`UnrecoverableError`) and are recorded. Partners that also take the original language still get
 * the original: routing queued it beside this job.
 */
export function createTranslateProcessor(deps: TranslateWorkerDeps) {
  const log = deps.logger.child({ component: 'translate-worker' });
  return async (job: Job<unknown, TranslateJobResult>): Promise<TranslateJobResult> => {
    const parsed = TranslateJob.safeParse(job.data);
    if (!parsed.success) {
      const message = `translate job ${job.id}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
      deps.metrics.failures.inc({ code: 'WIRE_ERR_TRANSLATE_JOB_INVALID', pair: 'unknown', retryable: 'false' });
      log.error({ jobId: job.id, issues: parsed.error.issues.slice(0, 5) }, 'invalid translate job');
      throw new UnrecoverableError(message);
    }
    const data = parsed.data;
    const pair = pairKey(data.story.language ?? deps.defaultSourceLanguage ?? 'en', data.targetLanguage);
    const ctx = { jobId: job.id, storyUri: data.storyUri, version: data.version, targetLanguage: data.targetLanguage, eventType: data.eventType };

    // A kill needs no provider: the variant only has to say it is withdrawn.
    if (data.eventType === 'story.killed' || data.story.pubStatus === 'canceled') {
      const variant = canceledVariant(data.story, data.targetLanguage);
      const deliverJobIds = await deps.routeVariant(variant, data);
      deps.metrics.variants.inc({ pair, event: data.eventType });
      log.info({ ...ctx, variantUri: variant.uri, deliveries: deliverJobIds.length }, 'canceled variant routed');
      return { variantUri: variant.uri, provider: 'none', cached: false, deliverJobIds, missingTerms: [] };
    }

    const started = performance.now();
    let result;
    try {
      result = await deps.storyTranslator.translate(data.story, data.targetLanguage);
    } catch (e) {
      const te = isTranslateError(e)
        ? e
        : new TranslateError(TranslateErrorCodes.PROVIDER_DOWN, `translate: ${(e as Error)?.message ?? String(e)}`, {}, { cause: e });
      if (te.code === TranslateErrorCodes.UNSUPPORTED_PAIR && deps.routeUntranslated) {
        const reason = noTranslatorReason(data.story.language ?? deps.defaultSourceLanguage ?? 'en', data.targetLanguage);
        const settled = await deps.routeUntranslated(data, reason);
        deps.metrics.skipped.inc({ pair });
        log.info({ ...ctx, reason, detail: te.message, partners: settled.partners, deliveries: settled.deliverJobIds.length }, 'translation skipped: no translator');
        return { variantUri: variantUri(data.storyUri, data.targetLanguage), provider: 'none', cached: false, deliverJobIds: settled.deliverJobIds, missingTerms: [], skipped: reason };
      }
      deps.metrics.failures.inc({ code: te.code, pair, retryable: String(te.retryable) });
      if (te.retryable) {
        log.warn({ ...ctx, err: te, attempt: job.attemptsMade + 1 }, 'translation failed, will retry');
        // BullMQ keeps only the message as the failed reason: lead with the code ops search for.
        throw new TranslateError(te.code as TranslateErrorCode, `${te.code}: ${te.message}`, te.details, { cause: te, retryable: true });
      }
      log.error({ ...ctx, err: te }, 'translation cannot succeed');
      await deps.recordFailure?.({
        at: new Date().toISOString(),
        jobId: job.id,
        storyUri: data.storyUri,
        version: data.version,
        targetLanguage: data.targetLanguage,
        code: te.code,
        message: te.message,
        partnerIds: data.partnerIds,
      });
      throw new UnrecoverableError(`${te.code}: ${te.message}`);
    }

    const seconds = (performance.now() - started) / 1000;
    // The hops providers translated, in order: `gl>es`, `es>en` → gl, es, en.
    const hops = result.attempts.filter((a) => a.outcome === 'ok' && a.pair).map((a) => a.pair!.split('>'));
    const path = hops.length > 0 ? [hops[0]![0]!, ...hops.map((h) => h[1]!)] : undefined;
    deps.metrics.latency.observe({ provider: result.provider, pair, cached: String(result.cached) }, seconds);
    if (result.cached) deps.metrics.cacheHits.inc({ provider: result.provider, pair });
    else {
      deps.metrics.cacheMisses.inc({ pair });
      deps.metrics.words.inc({ provider: result.provider, pair }, result.words);
    }
    if (result.missingTerms.length > 0) {
      deps.metrics.lostTerms.inc({ provider: result.provider }, result.missingTerms.length);
      log.warn({ ...ctx, provider: result.provider, missingTerms: result.missingTerms }, 'protected terms lost in translation');
    }
    const deliverJobIds = await deps.routeVariant(result.variant, data);
    deps.metrics.variants.inc({ pair, event: data.eventType });
    log.info(
      { ...ctx, variantUri: result.variant.uri, provider: result.provider, path: path?.join('>'), cached: result.cached, words: result.words, ms: Math.round(seconds * 1000), deliveries: deliverJobIds.length },
      'variant routed',
    );
    return { variantUri: result.variant.uri, provider: result.provider, cached: result.cached, deliverJobIds, missingTerms: result.missingTerms, ...(path ? { path } : {}) };
  };
}

/**
 * A BullMQ worker on the `translate` queue. Retries and backoff are the job's own options
 * (`attempts`, `backoff`, set by routing); the worker only decides retryable vs. not.
 *
 * @example
 * const worker = createTranslateWorker({ ...deps, connection: { url: REDIS_URL }, concurrency: 4 });
 * await worker.close(); // on shutdown
 */
export function createTranslateWorker(
  deps: TranslateWorkerDeps & { connection: ConnectionOptions; queueName?: string; prefix?: string; concurrency?: number; autorun?: boolean },
): Worker<unknown, TranslateJobResult> {
  const worker = new Worker<unknown, TranslateJobResult>(deps.queueName ?? Queues.translate, createTranslateProcessor(deps), {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: deps.concurrency ?? 4,
    autorun: deps.autorun ?? true,
  });
  const log = deps.logger.child({ component: 'translate-worker' });
  // BullMQ emits 'error' for connection trouble; without a listener it would crash the process.
  worker.on('error', (err) => log.error({ err }, 'worker error'));
  return worker;
}
