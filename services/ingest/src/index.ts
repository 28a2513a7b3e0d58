/** services/ingest — importable parts of the service; main.ts is the only file with side effects. */
export { ConfigSchema, isolatedRunEnv, loadIngestConfig, type IngestConfig } from './config';
export { createIngestService, ensureTopics, kafkaLogCreator, type IngestService, type IngestServiceOverrides } from './app';
export { createIngestPipeline, RAW_SEGMENT_CONTENT_TYPE, CANONICAL_PACK_CONTENT_TYPE, type IngestPipeline, type InboundMessage, type OutRecord, type ChunkOutcome, type PreparedChunk, type IngestTopics, type PipelineDeps } from './pipeline';
export { createIngestConsumer, type IngestConsumer, type IngestConsumerOptions } from './consumer';
export { createNormalizePool, type NormalizePool, type NormalizeJob, type NormalizeOutcome } from './normalize-pool';
export { createDeciderThread, type DeciderThreadOptions } from './decider-thread';
export { TransactionalPublisher, type CommitOffsets } from './publisher';
export { ResendClaims } from './claims';
export { createRouter } from './router';
export { createMediaRetryQueue, createMediaRetryWorker, type MediaRetryWorkerDeps } from './media-retry';
export { createIngestMetrics, type IngestMetrics } from './metrics';
export { rawSegmentKey, canonicalPackKey, canonicalKey } from './keys';
export { buildRawSegment, readRawSegmentIndex, buildCanonicalPack, sliceRange, RAW_SEGMENT_FORMAT, type RawSegmentEntry } from './packs';
export { IngestError, IngestErrorCodes } from './errors';
export type { NormalizeFn, NormalizeOptions, Decider, DecideItem, Router, RouteItem, MediaRetryQueue } from './ports';
export { spawnTsThread } from './threads';
