import { describe, expect, it } from 'vitest';
import { OpsError, OpsErrors } from './errors';
import { CreatePartnerBody, PatchPartnerBody } from './routes/partners';
import { parseOr400 } from './validation';

function failure(fn: () => unknown): OpsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OpsError) return err;
    throw err;
  }
  throw new Error('expected a validation error');
}

describe('request validation', () => {
  it('names each bad field with its rule', () => {
    const err = failure(() => parseOr400(CreatePartnerBody, { id: 'a b', url: 'ftp://x', translateTo: ['es', 'Spanish'], extra: 1 }, 'body'));
    expect(err.code).toBe('WIRE_ERR_OPS_VALIDATION');
    expect(err.status).toBe(400);
    const fields = (err.details.fields as Array<{ field: string }>).map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['id', 'name', 'url', 'translateTo.1', 'extra']));
    expect(err.message).toMatch(/^body invalid: /);
    expect(err.message).toContain('url: must be an http: or https: URL');
  });

  it('accepts a contract body and refuses an empty patch', () => {
    expect(parseOr400(CreatePartnerBody, { id: 'es-daily', name: 'El Diario', url: 'https://d.example/h', translateTo: ['es'], filters: { languages: ['es'] } }, 'body').id).toBe('es-daily');
    expect(failure(() => parseOr400(PatchPartnerBody, {}, 'body')).message).toContain('at least one field');
    expect(failure(() => parseOr400(CreatePartnerBody, undefined, 'body')).details.fields).toEqual([{ field: '(body)', message: expect.any(String) }]);
  });

  it('documents every error code with a status', () => {
    for (const entry of Object.values(OpsErrors.specs)) {
      expect(entry.code).toMatch(/^WIRE_ERR_OPS_[A-Z_]+$/);
      expect(entry.message.length).toBeGreaterThan(10);
      expect(entry.status).toBeGreaterThanOrEqual(400);
    }
  });
});
