import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { defineScripts, readScript, type ScriptHost } from './scripts';

const dir = mkdtempSync(path.join(tmpdir(), 'wire-redis-scripts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the files (path → Lua) under a fresh folder; returns the URL of each. */
function files(tree: Record<string, string>): Record<string, URL> {
  const root = mkdtempSync(path.join(dir, 'case-'));
  const urls: Record<string, URL> = {};
  for (const [name, lua] of Object.entries(tree)) {
    const file = path.join(root, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, lua);
    urls[name] = pathToFileURL(file);
  }
  return urls;
}

/** A client that records what it is asked to define. */
function host(): ScriptHost & { calls: Array<{ name: string; lua: string; numberOfKeys?: number }> } {
  const calls: Array<{ name: string; lua: string; numberOfKeys?: number }> = [];
  return { calls, defineCommand: (name, def) => calls.push({ name, ...def }) };
}

describe('readScript', () => {
  it('replaces each include line by the file it names, relative to the including file, nested', () => {
    const f = files({
      'main.lua': '--- @include "includes/a"\nreturn a() + b()\n',
      'includes/a.lua': '--- @include "b.lua"\nlocal function a() return 1 end\n',
      'includes/b.lua': 'local function b() return 2 end\n',
    });
    expect(readScript(f['main.lua']!)).toBe('local function b() return 2 end\n\nlocal function a() return 1 end\n\nreturn a() + b()\n');
  });

  it('includes a fragment once per script, however many files ask for it', () => {
    const f = files({
      'main.lua': '--- @include "x"\n--- @include "y"\n--- @include "x"\nreturn 1\n',
      'x.lua': '--- @include "shared"\nX\n',
      'y.lua': '--- @include "shared"\nY\n',
      'shared.lua': 'S\n',
    });
    expect(readScript(f['main.lua']!).match(/S/g)).toHaveLength(1);
    expect(readScript(f['main.lua']!)).toBe('S\n\nX\n\n\nY\n\n\nreturn 1\n');
  });

  it('takes a named include from the map given (a fragment of another package) before any file', () => {
    const other = files({ 'log-entry.lua': 'local function logEntry() end\n' });
    const f = files({ 'main.lua': '--- @include "log-entry"\nlogEntry()\n' });
    expect(readScript(f['main.lua']!, { 'log-entry': other['log-entry.lua']! })).toBe('local function logEntry() end\n\nlogEntry()\n');
  });

  it('leaves Lua comments and text that only look like an include as they are', () => {
    const f = files({ 'main.lua': '-- see @include "x" in the docs\nlocal s = \'--- @include "x"\'\nreturn s\n' });
    expect(readScript(f['main.lua']!)).toBe('-- see @include "x" in the docs\nlocal s = \'--- @include "x"\'\nreturn s\n');
  });

  it('refuses an include cycle and a missing file, naming the files', () => {
    const f = files({ 'a.lua': '--- @include "b"\n', 'b.lua': '--- @include "a"\n', 'c.lua': '--- @include "missing"\n' });
    expect(() => readScript(f['a.lua']!)).toThrow(/include cycle .*a\.lua → .*b\.lua → .*a\.lua/);
    expect(() => readScript(f['c.lua']!)).toThrow(/missing\.lua: cannot be read/);
  });
});

describe('defineScripts', () => {
  it('defines each command once per client, with its key count, and again on another client', () => {
    const f = files({ 'one.lua': 'return 1\n', 'many.lua': 'return #KEYS\n' });
    const scripts = { wireTestOne: { file: f['one.lua']!, keys: 2 }, wireTestMany: { file: f['many.lua']! } };
    const a = host();
    defineScripts(a, scripts);
    defineScripts(a, scripts);
    expect(a.calls).toEqual([
      { name: 'wireTestOne', lua: 'return 1\n', numberOfKeys: 2 },
      { name: 'wireTestMany', lua: 'return #KEYS\n' },
    ]);
    const b = host();
    defineScripts(b, { wireTestOne: scripts.wireTestOne });
    expect(b.calls.map((c) => c.name)).toEqual(['wireTestOne']);
  });

  it('refuses a second script under a name the client already has', () => {
    const f = files({ 'one.lua': 'return 1\n', 'two.lua': 'return 2\n' });
    const a = host();
    defineScripts(a, { wireTestClash: { file: f['one.lua']! } });
    expect(() => defineScripts(a, { wireTestClash: { file: f['two.lua']! } })).toThrow(/wireTestClash: already defined/);
  });
});
