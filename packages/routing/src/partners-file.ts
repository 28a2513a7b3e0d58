import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { err, ok, type Result } from '@wire/schema';
import { RoutingError, RoutingErrorCodes } from './errors';
import { describeIssues, PartnerInput } from './partner';
import type { PartnerRegistry } from './registry';

const PartnersFile = z.union([z.array(PartnerInput), z.object({ partners: z.array(PartnerInput) }).transform((f) => f.partners)]);

/**
 * Parse a declarative partners file: JSON, either an array of partners or `{ "partners": [...] }`,
 * each `{ id, name, url, secret?, filters?, translateTo?, embargoEarly?, allCopies? }`.
 */
export function parsePartnersFile(text: string, where = 'partners file'): Result<PartnerInput[], RoutingError> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    return err(new RoutingError(RoutingErrorCodes.PARTNERS_FILE, `${where}: not JSON (${(cause as Error).message})`, {}, { cause }));
  }
  const parsed = PartnersFile.safeParse(json);
  if (!parsed.success) return err(new RoutingError(RoutingErrorCodes.PARTNERS_FILE, `${where}: ${describeIssues(parsed.error)}`));
  return ok(parsed.data);
}

/** Read `path` and create or update every partner it defines in the registry; returns the ids. */
export async function loadPartnersFile(registry: PartnerRegistry, path: string): Promise<Result<string[], RoutingError>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    return err(new RoutingError(RoutingErrorCodes.PARTNERS_FILE, `partners file ${path}: cannot read (${(cause as Error).message})`, { path }, { cause }));
  }
  const parsed = parsePartnersFile(text, `partners file ${path}`);
  if (!parsed.ok) return parsed;
  return ok(await registry.upsertMany(parsed.value));
}
