import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../draft';
import * as apMedia from './ap-media';
import * as newsml1 from './newsml1';
import * as newsmlG2 from './newsml-g2';
import * as ninjs from './ninjs';
import * as nitf from './nitf';
import * as rss from './rss';

/** Every XML format goes through the one safe entry point: the same hostile input gets the same typed code. */
const XML_PARSERS = { nitf, 'newsml-g2': newsmlG2, newsml1, rss } as const;
const ROOT: Record<keyof typeof XML_PARSERS, string> = { nitf: 'nitf', 'newsml-g2': 'newsItem', newsml1: 'NewsML', rss: 'rss' };

const xxe = (root: string) => `<?xml version="1.0"?>\n<!DOCTYPE ${root} [\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n<${root}>&xxe;</${root}>`;
const laughs = (root: string) =>
  `<?xml version="1.0"?><!DOCTYPE ${root} [<!ENTITY a "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('')}]><${root}>&j;</${root}>`;
const subset = (root: string) => `<!DOCTYPE ${root} [<!ELEMENT ${root} ANY><!ATTLIST ${root} a CDATA "x">]><${root}/>`;
const deep = (root: string) => `<${root}>${'<x>'.repeat(10_000)}${'</x>'.repeat(10_000)}</${root}>`;
const huge = (root: string) => `<${root}>${'<p>lorem ipsum dolor sit amet</p>'.repeat(200_000)}</${root}>`;

describe('hostile XML through every XML format parser', () => {
  for (const [name, mod] of Object.entries(XML_PARSERS)) {
    const root = ROOT[name as keyof typeof XML_PARSERS];
    it(`${name}: XXE, billion laughs, internal subset, 10k-deep nesting and 6 MB each get their typed code`, () => {
      const code = (text: string) => {
        const r = mod.parse({ text, limits: DEFAULT_LIMITS });
        return r.ok ? 'ok' : r.error.code;
      };
      expect(code(xxe(root))).toBe('WIRE_ERR_XML_ENTITY');
      expect(code(laughs(root))).toBe('WIRE_ERR_XML_ENTITY');
      expect(code(subset(root))).toBe('WIRE_ERR_XML_DTD');
      expect(code(deep(root))).toBe('WIRE_ERR_TOO_DEEP');
      expect(huge(root).length).toBeGreaterThan(6 * 1024 * 1024);
      expect(code(huge(root))).toBe('WIRE_ERR_TOO_LARGE');
    });
  }

  it('JSON formats: deep nesting, 6 MB and prototype keys are handled as data', () => {
    for (const mod of [ninjs, apMedia]) {
      const deepJson = `{"api_version":"2","data":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
      const r1 = mod.parse({ text: deepJson, limits: DEFAULT_LIMITS });
      expect(!r1.ok && r1.error.code).toBe('WIRE_ERR_TOO_DEEP');
      const r2 = mod.parse({ text: `{"headline":"${'x'.repeat(6 * 1024 * 1024)}"}`, limits: DEFAULT_LIMITS });
      expect(!r2.ok && r2.error.code).toBe('WIRE_ERR_TOO_LARGE');
    }
    const r = ninjs.parse({ text: '{"__proto__":{"headline":"polluted"},"constructor":"x","uri":"u","headline":"H"}', limits: DEFAULT_LIMITS });
    expect(r.ok && r.value[0]?.headline).toBe('H');
    expect(({} as Record<string, unknown>).headline).toBeUndefined();
  });
});
