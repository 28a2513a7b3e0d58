import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LIMITS, type ParseInput } from '../draft';

/** Test-only: the wire fixtures (repo copy in tests/fixtures/wire, else the shared originals) and our own samples. */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const copied = join(repoRoot, 'tests/fixtures/wire');
const shared = resolve(repoRoot, '../shared/fixtures/wire');

export function fixture(rel: string): string {
  const local = join(copied, rel);
  return readFileSync(existsSync(local) ? local : join(shared, rel), 'utf8');
}

export function sample(name: string): string {
  return readFileSync(join(copied, 'samples', name), 'utf8');
}

export const input = (text: string, limits = DEFAULT_LIMITS): ParseInput => ({ text, limits });
