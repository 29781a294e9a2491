#!/usr/bin/env node
// The `flock` command: runs the TypeScript source through tsx, as the rest of the workspace does.
require('tsx/cjs');
require('../src/cli/main.ts').main(process.argv);
