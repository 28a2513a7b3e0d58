#!/usr/bin/env node
// The `wire` bin. Where the dev tools are installed it runs the TypeScript source through tsx, so
// no build step stands between a fresh clone and a working command; in a production install
// (`npm ci --omit=dev`: no tsx) it runs the build (`npm run build` → packages/cli/dist).
let tsx;
try {
  tsx = await import('tsx/esm/api');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
}
if (tsx) {
  tsx.register();
  await import('../src/main.ts');
} else {
  await import('../dist/main.js');
}
