/**
 * What the ops API reads and steers, as small interfaces: main.ts wires the real implementations
 * (@wire/routing's partner registry, the webhooks delivery log, Kafka, BullMQ, S3); tests pass the
 * same real implementations with unique prefixes.
 */
import type { ByteRange } from '@wire/queues';
import type { CanonicalStory } from '@wire/schema';

interface PartnerSecretView {
  secret: string;
  createdAt: string;
  expiresAt?: string;
}

/** A partner as the registry stores it (secrets included; the API strips them). */
export interface PartnerRecord {
  id: string;
  name: string;
  url: string;
  secrets: PartnerSecretView[];
  disabled?: boolean;
  [field: string]: unknown;
}

/** Partner administration (the @wire/routing registry). Unknown ids: `get` → undefined, others throw `NotFound`. */
export interface PartnerAdmin {
  create(input: Record<string, unknown>): Promise<PartnerRecord>;
  get(id: string): Promise<PartnerRecord | undefined>;
  list(): Promise<PartnerRecord[]>;
  update(id: string, patch: Record<string, unknown>): Promise<PartnerRecord>;
  delete(id: string): Promise<boolean>;
  rotateSecret(id: string): Promise<PartnerRecord>;
  disable(id: string, reason: string): Promise<PartnerRecord>;
  enable(id: string): Promise<PartnerRecord>;
}

/** One delivery attempt (or outcome) as the webhooks delivery log records it. */
export interface DeliveryRecord {
  partnerId: string;
  storyUri: string;
  version?: number;
  status: string;
  attempt?: number;
  httpStatus?: number;
  latencyMs?: number;
  at: string;
  [field: string]: unknown;
}

interface DeliveryQuery {
  partner?: string;
  story?: string;
  status?: string;
  limit?: number;
}

/** The delivery log and its dead letters (services/webhooks). */
export interface DeliveryAdmin {
  list(q: DeliveryQuery): Promise<DeliveryRecord[]>;
  deadLetters(limit: number): Promise<Array<{ id: string; [field: string]: unknown }>>;
  /** Re-enqueue one delivery dead letter; false when the id is unknown. */
  replay(id: string): Promise<boolean>;
  /** Re-enqueue every dead letter of a partner recorded at or after `since`. */
  replayPartner(partnerId: string, since: string): Promise<Array<{ id: string; ok: boolean; detail: string }>>;
}

/** Consumer lag of the pipeline's Kafka consumer groups. */
export interface LagReader {
  lag(): Promise<Array<{ group: string; topic: string; partition: number; lag: number }>>;
}

/** Objects in S3: canonical JSON per version and images. */
export interface ObjectReader {
  /** One version's canonical JSON: the whole object, or `range` of it (a canonical pack holds many versions). */
  canonical(key: string, range?: ByteRange): Promise<CanonicalStory | undefined>;
  /** An object's bytes and content type, or undefined when it is not there. */
  object(key: string): Promise<{ body: Buffer; contentType: string } | undefined>;
}

/** Readiness of the infrastructure: name → true, or the reason it is not ready. */
export type ReadinessProbe = () => Promise<Record<string, true | string>>;
