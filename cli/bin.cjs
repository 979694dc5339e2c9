#!/usr/bin/env node
// Runs the CLI from its TypeScript sources through tsx (a runtime dependency), so neither `npx redis-dts-sync`
// in the clone nor an installed package needs a build step first.
require('tsx/cjs/api').register();
require('./main.ts');
