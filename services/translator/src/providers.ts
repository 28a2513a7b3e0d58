import {
  createAmazonTranslator,
  createApertiumTranslator,
  createDeepLTranslator,
  createLibreTranslateTranslator,
  type Translator,
} from '@wire/translate';
import type { Config } from './config';

/** Every provider the config sets up (Apertium always), each with a `close()`. */
export function createProviders(config: Config): Array<Translator & { close(): Promise<void> }> {
  const timeoutMs = config.TRANSLATE_TIMEOUT_MS;
  const providers: Array<Translator & { close(): Promise<void> }> = [
    createApertiumTranslator({ url: config.APERTIUM_URL, concurrency: config.APERTIUM_CONCURRENCY, timeoutMs }),
  ];
  if (config.LIBRETRANSLATE_URL) {
    providers.push(createLibreTranslateTranslator({ url: config.LIBRETRANSLATE_URL, apiKey: config.LIBRETRANSLATE_API_KEY, timeoutMs }));
  }
  if (config.DEEPL_AUTH_KEY) {
    providers.push(createDeepLTranslator({ url: config.DEEPL_URL, authKey: config.DEEPL_AUTH_KEY, timeoutMs }));
  }
  if (config.AWS_TRANSLATE_REGION) {
    providers.push(
      createAmazonTranslator({
        region: config.AWS_TRANSLATE_REGION,
        endpoint: config.AWS_TRANSLATE_ENDPOINT,
        credentials:
          config.AWS_ACCESS_KEY_ID && config.AWS_SECRET_ACCESS_KEY
            ? { accessKeyId: config.AWS_ACCESS_KEY_ID, secretAccessKey: config.AWS_SECRET_ACCESS_KEY }
            : undefined,
      }),
    );
  }
  return providers;
}
