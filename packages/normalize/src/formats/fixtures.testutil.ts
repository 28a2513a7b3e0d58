import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LIMITS, type ParseInput } from '../draft';

/** Test-only: the wire fixtures (tests/fixtures/wire, with their SOURCES.md) and our own samples. */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const copied = join(repoRoot, 'tests/fixtures/wire');

export function fixture(rel: string): string {
  return readFileSync(join(copied, rel), 'utf8');
}

export function sample(name: string): string {
  return readFileSync(join(copied, 'samples', name), 'utf8');
}

export const input = (text: string, limits = DEFAULT_LIMITS): ParseInput => ({ text, limits });
