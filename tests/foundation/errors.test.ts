import { describe, expect, it } from 'vitest';
import { DedupeErrors } from '@wire/dedupe';
import { InfraErrors } from '@wire/infra';
import { MediaErrors } from '@wire/media';
import { NetGuardErrors } from '@wire/netguard';
import { NormalizeErrors } from '@wire/normalize';
import { RoutingErrors } from '@wire/routing';
import { SecretsErrors } from '@wire/secrets';
import { IngestErrors } from '@wire/svc-ingest';
import { TranslateErrors } from '@wire/translate';
import { DeliveryErrors, WebhookErrors } from '@wire/webhooks';
import { OpsErrors } from '../../services/ops/src/errors';

/** Every catalogue of the pipeline, each made with `defineErrors` (@wire/schema). */
const CATALOGUES = [DedupeErrors, InfraErrors, MediaErrors, NetGuardErrors, NormalizeErrors, RoutingErrors, SecretsErrors, IngestErrors, TranslateErrors, WebhookErrors, DeliveryErrors, OpsErrors];

describe('error catalogues', () => {
  it('document every code, and no two packages give one code two meanings', () => {
    const seen = new Map<string, string>();
    for (const catalogue of CATALOGUES) {
      for (const spec of Object.values(catalogue.specs)) {
        expect(spec.code, catalogue.name).toMatch(/^WIRE_ERR_[A-Z0-9_]+$/);
        expect(spec.message.length, spec.code).toBeGreaterThan(10);
        expect(seen.get(spec.code), `${spec.code} in ${catalogue.name}`).toBeUndefined();
        seen.set(spec.code, catalogue.name);
      }
    }
    expect(seen.size).toBeGreaterThan(80);
  });
});
