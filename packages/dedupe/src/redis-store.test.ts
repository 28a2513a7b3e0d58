import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHUNK, RECORD_BYTES } from './record';
import { NAMES } from './redis-store';

describe('dedupe-append.lua', () => {
  it('reads records, chunks and names keys with the sizes the store writes them in', () => {
    const lua = readFileSync(new URL('./dedupe-append.lua', import.meta.url), 'utf8');
    const constant = (name: string) => Number(new RegExp(`^local ${name} = (\\d+)$`, 'm').exec(lua)?.[1]);
    expect({ RB: constant('RB'), CH: constant('CH'), NM: constant('NM') }).toEqual({ RB: RECORD_BYTES, CH: CHUNK, NM: NAMES });
  });
});
