import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from './normalize';

const SEED = fileURLToPath(new URL('../../../../tests/fixtures/seed/000_3a1e1f91969e4f14.txt', import.meta.url));
const FEED = fileURLToPath(new URL('../../../../tests/fixtures/wire/samples/newsml-g2-message.xml', import.meta.url));

async function wire(argv: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const input = new PassThrough();
  input.end(stdin);
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await run(argv, { stdout, stderr, stdin: input, env: {} });
  return { code, out, err };
}

describe('wire normalize', () => {
  it('prints the seed as ninjs 3.1', async () => {
    const r = await wire(['--to', 'ninjs', SEED]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as Record<string, unknown>;
    expect(doc.by).toBe('Sarah Kim');
    expect(doc.language).toBe('en');
    expect((doc.associations as unknown[]).length).toBe(3);
  });

  it('prints the canonical story by default, with --source in the uri', async () => {
    const r = await wire(['--source', 'joongang', SEED]);
    expect(r.code).toBe(0);
    const story = JSON.parse(r.out) as { source: string; uri: string; body: string[] };
    expect(story.source).toBe('joongang');
    expect(story.uri).toMatch(/^urn:wire:joongang:/);
    expect(story.body).toHaveLength(18);
  });

  it('reads stdin with -', async () => {
    const r = await wire(['-'], 'Storm hits the coast\n\nThe storm reached the coast on Tuesday night, forcing thousands of people to leave their homes.');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { headline: string }).headline).toBe('Storm hits the coast');
  });

  it('prints an array for an input holding several items', async () => {
    const r = await wire(['--to', 'ninjs', FEED]);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.out) as Array<{ uri: string }>;
    expect(Array.isArray(parsed)).toBe(true);
    expect(parsed.length).toBeGreaterThan(1);
    expect(new Set(parsed.map((d) => d.uri)).size).toBe(parsed.length);
  });

  it('exits 2 with one error line and nothing on stdout for bad input', async () => {
    const bad = await wire(['-'], '{"not":"a wire document"}');
    expect(bad).toEqual({ code: 2, out: '', err: expect.stringMatching(/^error WIRE_ERR_UNSUPPORTED_FORMAT: .+\n$/) as unknown as string });
    const xxe = await wire(['-'], '<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY x SYSTEM "file:///etc/passwd">]><nitf>&x;</nitf>');
    expect(xxe.code).toBe(2);
    expect(xxe.out).toBe('');
    expect(xxe.err).toMatch(/^error WIRE_ERR_XML_(ENTITY|DTD): /);
    const missing = await wire(['/nonexistent/story.xml']);
    expect(missing).toMatchObject({ code: 2, out: '' });
    const usage = await wire(['--to', 'xml', SEED]);
    expect(usage).toMatchObject({ code: 2, out: '' });
  });
});
