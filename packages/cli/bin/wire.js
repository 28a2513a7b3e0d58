#!/usr/bin/env node
// The `wire` bin: the CLI is TypeScript run through tsx, so no build step stands between a
// fresh clone and a working command.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
