import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { OpsError } from '../errors';
import type { PartnerAdmin, PartnerRecord } from '../ports';
import { parseOr400 } from '../validation';

const httpUrl = z
  .string({ error: 'required, an http(s) URL' })
  .url('must be a URL')
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http: or https: URL');

const Filters = z
  .object({
    sources: z.array(z.string().min(1)).optional(),
    languages: z.array(z.string().min(2, 'a BCP 47 language tag')).optional(),
    subjects: z.array(z.string().min(1)).optional(),
    keywords: z.array(z.string().min(1)).optional(),
    urgency: z.number().int().min(1).max(9).optional(),
  })
  .strict();

const Tunables = {
  name: z.string({ error: 'required, a display name' }).min(1, 'must not be empty'),
  url: httpUrl,
  filters: Filters.optional(),
  translateTo: z.array(z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/, 'a BCP 47 language tag such as "es"')).optional(),
  whenNoTranslator: z.enum(['original', 'nothing'], { error: '"original" or "nothing"' }).optional(),
  embargoEarly: z.boolean().optional(),
  allCopies: z.boolean().optional(),
  concurrency: z.number().int().positive().optional(),
  ratePerSec: z.number().positive().optional(),
};

/** `POST /api/partners` body (CONTRACTS.md): the secret is generated, never given. */
export const CreatePartnerBody = z
  .object({
    id: z.string({ error: 'required, letters, digits, "-" or "_"' }).regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "-" or "_", 1 to 64 characters'),
    ...Tunables,
  })
  .strict();

/** `PATCH /api/partners/:id` body: any tunable, plus `disabled` to switch the endpoint off or on. */
export const PatchPartnerBody = z
  .object({
    name: Tunables.name.optional(),
    url: httpUrl.optional(),
    filters: Tunables.filters,
    translateTo: Tunables.translateTo,
    whenNoTranslator: Tunables.whenNoTranslator,
    embargoEarly: Tunables.embargoEarly,
    allCopies: Tunables.allCopies,
    concurrency: Tunables.concurrency,
    ratePerSec: Tunables.ratePerSec,
    disabled: z.boolean().optional(),
    disabledReason: z.string().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change');

/** A partner as the API shows it: everything but the secrets. */
function partnerView(p: PartnerRecord): Record<string, unknown> {
  const { secrets, ...rest } = p;
  return { ...rest, secretCreatedAt: secrets[0]?.createdAt, secretsActive: secrets.length };
}

/** The partner plus its current secret — only at create and rotate. */
function withSecret(p: PartnerRecord): Record<string, unknown> {
  return { ...partnerView(p), secret: p.secrets[0]?.secret };
}

async function mustGet(partners: PartnerAdmin, id: string): Promise<PartnerRecord> {
  const p = await partners.get(id);
  if (!p) throw new OpsError('WIRE_ERR_OPS_NOT_FOUND', `partner "${id}" not found`, { id });
  return p;
}

/** Partner and subscription admin. */
export function partnerRoutes(app: FastifyInstance, partners: PartnerAdmin): void {
  app.post('/api/partners', async (req, reply) => {
    const body = parseOr400(CreatePartnerBody, req.body, 'body');
    if (await partners.get(body.id)) throw new OpsError('WIRE_ERR_OPS_CONFLICT', `partner "${body.id}" already exists (PATCH it instead)`, { id: body.id });
    const created = await partners.create(body);
    return reply.code(201).send(withSecret(created));
  });

  app.get('/api/partners', async () => {
    const list = await partners.list();
    return { partners: list.map(partnerView) };
  });

  app.get<{ Params: { id: string } }>('/api/partners/:id', async (req) => partnerView(await mustGet(partners, req.params.id)));

  app.patch<{ Params: { id: string } }>('/api/partners/:id', async (req) => {
    const patch = parseOr400(PatchPartnerBody, req.body, 'body');
    const id = req.params.id;
    const current = await mustGet(partners, id);
    const { disabled, disabledReason, ...rest } = patch;
    let updated = current;
    if (Object.keys(rest).length > 0) updated = await partners.update(id, rest);
    if (disabled === true && !current.disabled) updated = await partners.disable(id, disabledReason ?? 'disabled through the ops API');
    if (disabled === false && current.disabled) updated = await partners.enable(id);
    return partnerView(updated);
  });

  app.delete<{ Params: { id: string } }>('/api/partners/:id', async (req, reply) => {
    const removed = await partners.delete(req.params.id);
    if (!removed) throw new OpsError('WIRE_ERR_OPS_NOT_FOUND', `partner "${req.params.id}" not found`, { id: req.params.id });
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string } }>('/api/partners/:id/rotate-secret', async (req) => {
    await mustGet(partners, req.params.id);
    return withSecret(await partners.rotateSecret(req.params.id));
  });
}
