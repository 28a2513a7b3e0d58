import { TranslateClient, TranslateDocumentCommand, TranslateTextCommand } from '@aws-sdk/client-translate';
import { translateInBatches } from '../chunk';
import { TranslateError, TranslateErrorCodes, type TranslateErrorCode } from '../errors';
import { normalizeLanguage } from '../languages';
import { toSegments, type ProviderLimits, type Segment, type TranslateOptions, type Translator } from '../translator';

export interface AmazonTranslateOptions {
  region: string;
  /** A custom endpoint (a VPC endpoint, or a local server in tests); the AWS default when unset. */
  endpoint?: string;
  /** Static credentials; the SDK's default chain (env, profile, role) when unset. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** SDK attempts per call (its own retry with backoff for throttling/5xx), default 2. */
  maxAttempts?: number;
  concurrency?: number;
  /** Languages to offer (BCP 47 primary tags); any pair among them is tried. Unset: every pair is tried. */
  languages?: string[];
}

/** AWS error names → our codes. Names are the service's stable error types, not message text. */
const AWS_ERRORS: Record<string, TranslateErrorCode> = {
  UnsupportedLanguagePairException: TranslateErrorCodes.UNSUPPORTED_PAIR,
  ThrottlingException: TranslateErrorCodes.RATE_LIMITED,
  TooManyRequestsException: TranslateErrorCodes.RATE_LIMITED,
  LimitExceededException: TranslateErrorCodes.RATE_LIMITED,
  ServiceUnavailableException: TranslateErrorCodes.PROVIDER_DOWN,
  InternalServerException: TranslateErrorCodes.PROVIDER_DOWN,
  AccessDeniedException: TranslateErrorCodes.AUTH,
  UnrecognizedClientException: TranslateErrorCodes.AUTH,
  InvalidSignatureException: TranslateErrorCodes.AUTH,
  ExpiredTokenException: TranslateErrorCodes.AUTH,
  TextSizeLimitExceededException: TranslateErrorCodes.BAD_REQUEST,
  InvalidRequestException: TranslateErrorCodes.BAD_REQUEST,
  InvalidParameterValueException: TranslateErrorCodes.BAD_REQUEST,
  ValidationException: TranslateErrorCodes.BAD_REQUEST,
};

function mapAwsError(cause: unknown, from: string, to: string): TranslateError {
  const e = cause as { name?: string; message?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  let code = e.name ? AWS_ERRORS[e.name] : undefined;
  // No HTTP status at all: the request never got an answer (refused, reset, timed out).
  if (!code) code = status === undefined || e.$fault === 'server' || status >= 500 ? TranslateErrorCodes.PROVIDER_DOWN : status === 429 ? TranslateErrorCodes.RATE_LIMITED : TranslateErrorCodes.BAD_REQUEST;
  return new TranslateError(
    code,
    `amazon: ${e.name ?? 'error'}${status ? ` (HTTP ${status})` : ''} translating ${from}>${to}${e.message ? `: ${e.message.slice(0, 200)}` : ''}`,
    { provider: 'amazon', awsError: e.name, status, from, to },
    { cause },
  );
}

/**
 * Amazon Translate through `@aws-sdk/client-translate`: `TranslateText` for plain text (one text,
 * at most 10 000 UTF-8 bytes per call) and `TranslateDocument` with `text/html` for markup.
 */
export function createAmazonTranslator(opts: AmazonTranslateOptions): Translator & { close(): Promise<void> } {
  const client = new TranslateClient({
    region: opts.region,
    endpoint: opts.endpoint,
    credentials: opts.credentials,
    maxAttempts: opts.maxAttempts ?? 2,
  });
  const limits: ProviderLimits = { maxTextsPerRequest: 1, maxCharsPerRequest: 10_000, maxBytesPerRequest: 10_000 };
  const offered = opts.languages ? new Set(opts.languages.map((l) => normalizeLanguage(l).split('-')[0])) : undefined;
  // Amazon takes `es`, `fr-CA`, `pt-PT`, `zh-TW`: BCP 47 with region where it matters.
  const code = (tag: string) => normalizeLanguage(tag);

  const one = async (text: string, format: 'text' | 'html', from: string, to: string, signal?: AbortSignal): Promise<string> => {
    try {
      if (format === 'html') {
        const res = await client.send(
          new TranslateDocumentCommand({
            Document: { Content: new TextEncoder().encode(text), ContentType: 'text/html' },
            SourceLanguageCode: code(from),
            TargetLanguageCode: code(to),
          }),
          { abortSignal: signal },
        );
        const content = res.TranslatedDocument?.Content;
        if (!content) throw new TranslateError(TranslateErrorCodes.BAD_RESPONSE, 'amazon: TranslateDocument without TranslatedDocument.Content', { provider: 'amazon' });
        return new TextDecoder().decode(content);
      }
      const res = await client.send(
        new TranslateTextCommand({ Text: text, SourceLanguageCode: code(from), TargetLanguageCode: code(to) }),
        { abortSignal: signal },
      );
      if (typeof res.TranslatedText !== 'string') throw new TranslateError(TranslateErrorCodes.BAD_RESPONSE, 'amazon: TranslateText without TranslatedText', { provider: 'amazon' });
      return res.TranslatedText;
    } catch (cause) {
      if (cause instanceof TranslateError) throw cause;
      throw mapAwsError(cause, from, to);
    }
  };

  return {
    name: 'amazon',
    limits,
    async supports(from, to) {
      if (!offered) return true;
      return offered.has(normalizeLanguage(from).split('-')[0]) && offered.has(normalizeLanguage(to).split('-')[0]);
    },
    async translate(texts: readonly string[] | readonly Segment[], from: string, to: string, o: TranslateOptions = {}) {
      return translateInBatches(toSegments(texts, o.format), limits, opts.concurrency ?? 4, (batch, format) =>
        Promise.all(batch.map((t) => one(t, format, from, to, o.signal))),
      );
    },
    close: async () => client.destroy(),
  };
}
