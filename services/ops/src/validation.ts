import type { z } from 'zod';
import { OpsError } from './errors';

/** One bad field of a request: the path (`filters.languages.0`) and the rule it broke. */
interface FieldIssue {
  field: string;
  message: string;
}

/**
 * Parse `data` with `schema` or throw a 400 `OpsError` whose message and `fields` name each bad
 * field, e.g. `url: must be an http: or https: URL; id: required`.
 */
export function parseOr400<S extends z.ZodType>(schema: S, data: unknown, where: 'body' | 'query'): z.infer<S> {
  const r = schema.safeParse(data ?? (where === 'body' ? undefined : {}));
  if (r.success) return r.data;
  const fields: FieldIssue[] = r.error.issues.map((i) => {
    const keys = i.code === 'unrecognized_keys' ? (i as { keys?: string[] }).keys : undefined;
    const path = i.path.map(String).join('.');
    const field = keys && keys.length > 0 ? [path, keys.join(',')].filter(Boolean).join('.') : path || `(${where})`;
    return { field, message: i.message };
  });
  throw new OpsError('WIRE_ERR_OPS_VALIDATION', `${where} invalid: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, { fields });
}
