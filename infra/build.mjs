#!/usr/bin/env node
// `npm run build`: every workspace's TypeScript compiled to JavaScript in its `dist/`, so the
// services and the `wire` command run with plain `node` and no dev tools (Docker, `wire start`).
// Development and tests keep running the source through tsx and vitest.
//
// Each source file becomes one JavaScript file in the same place under dist/ (so paths taken
// from `import.meta.url` — the dashboard files, worker-thread modules, infra templates — hold),
// with its imports rewritten to what Node resolves without a loader:
//   ./x → ./x.js, ./dir → ./dir/index.js, @wire/<pkg> → @wire/<pkg>/dist (each package's
//   `exports` maps `./dist` to its dist/index.js; `.` stays the TypeScript source for dev), a
//   subpath @wire/<pkg>/<sub> → @wire/<pkg>/<sub>/dist likewise (`./<sub>/dist` in `exports`),
//   new URL('./x.ts', import.meta.url) → ./x.js.
// Files beside the source that are not TypeScript (html, css, js, the Lua scripts read through
// new URL('./x.lua', import.meta.url)) are copied as they are.
//
// usage: node infra/build.mjs [--root DIR]   (DIR: another checkout to build, e.g. a copy)
import { build } from 'esbuild';
import process from 'node:process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const rootArg = args.indexOf('--root');
const ROOT = path.resolve(rootArg >= 0 ? args[rootArg + 1] : path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));

/** Not part of a build: tests and what only tests use. */
const TEST_ONLY = /\.(test|testutil|test-helpers)\.ts$/;

/** The workspaces of the root package.json, each with the folder its source sits in. */
function workspaces() {
  const { workspaces: globs } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const dirs = globs.flatMap((g) => {
    if (!g.endsWith('/*')) return [path.join(ROOT, g)];
    const parent = path.join(ROOT, g.slice(0, -2));
    return fs.readdirSync(parent).map((d) => path.join(parent, d));
  });
  return dirs
    .filter((d) => fs.existsSync(path.join(d, 'package.json')))
    .map((dir) => ({ dir, src: ['src', 'local'].map((s) => path.join(dir, s)).find((s) => fs.existsSync(s)) }))
    .filter((w) => w.src);
}

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** The file a relative specifier names, as the dev tools resolve it (extensionless, or a folder's index). */
function resolveRelative(fromDir, spec) {
  const base = path.resolve(fromDir, spec);
  for (const [file, rewritten] of [
    [base, spec],
    [`${base}.ts`, `${spec}.js`],
    [path.join(base, 'index.ts'), `${spec}/index.js`],
  ]) {
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return rewritten.replace(/\.ts$/, '.js');
  }
  return undefined;
}

/** Workspace package name → the keys of its `exports` (where `./dist`, `./<sub>/dist` are looked up). */
const exportKeys = new Map(
  workspaces().map((w) => {
    const pkg = JSON.parse(fs.readFileSync(path.join(w.dir, 'package.json'), 'utf8'));
    return [pkg.name, new Set(typeof pkg.exports === 'object' && pkg.exports !== null ? Object.keys(pkg.exports) : [])];
  }),
);

const rewriteImports = {
  name: 'wire-dist-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (a) => {
      if (a.kind === 'entry-point') return undefined;
      if (a.path.startsWith('./') || a.path.startsWith('../')) {
        const to = resolveRelative(a.resolveDir, a.path);
        if (!to) return { errors: [{ text: `cannot resolve ${a.path} from ${a.importer}` }] };
        return { path: to, external: true };
      }
      const wire = /^(@wire\/[^/]+)(\/[^/]+)?$/.exec(a.path);
      if (!wire) return { path: a.path, external: true };
      const [, pkg, sub = ''] = wire;
      if (exportKeys.get(pkg)?.has(`.${sub}/dist`) !== true) {
        const want = sub ? `".${sub}/dist": "./dist${sub}.js"` : '"./dist": "./dist/index.js"';
        return { errors: [{ text: `${a.path} (imported by ${path.relative(ROOT, a.importer)}) has no ${want} in its package.json exports` }] };
      }
      return { path: `${a.path}/dist`, external: true };
    });
    b.onLoad({ filter: /\.ts$/ }, (a) => ({
      contents: fs.readFileSync(a.path, 'utf8').replace(/new URL\((['"`])(\.{1,2}\/[^'"`]+?)\.ts\1(\s*,\s*import\.meta\.url\s*\))/g, 'new URL($1$2.js$1$3'),
      loader: 'ts',
    }));
  },
};

const started = Date.now();
let files = 0;
for (const w of workspaces()) {
  const out = path.join(w.dir, 'dist');
  fs.rmSync(out, { recursive: true, force: true });
  const all = walk(w.src);
  const entryPoints = all.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !TEST_ONLY.test(f));
  await build({
    entryPoints,
    outdir: out,
    outbase: w.src,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: path.join(ROOT, 'tsconfig.base.json'),
    plugins: [rewriteImports],
    logLevel: 'warning',
  });
  for (const f of all.filter((f) => !f.endsWith('.ts'))) {
    const to = path.join(out, path.relative(w.src, f));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(f, to);
  }
  files += entryPoints.length;
}
process.stdout.write(`build: ${files} files compiled into the dist/ of each workspace in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
