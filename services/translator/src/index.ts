/** services/translator — importable parts of the service; main.ts is the only file with side effects. */
export { ConfigSchema, loadTranslatorConfig, readGlossary, type Config } from './config';
export { createProviders } from './providers';
export { createTranslatorMetrics, type TranslatorMetrics } from './metrics';
export { createRegistryUntranslatedRouter, createRegistryVariantRouter, type UntranslatedResult, type UntranslatedRouter, type VariantRouter } from './route';
export { createRedisFailureRecorder, type FailureRecorder, type TranslateFailureRecord } from './failures';
export { createTranslateProcessor, createTranslateWorker, type TranslateWorkerDeps, type TranslateJobResult } from './worker';
