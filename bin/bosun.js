#!/usr/bin/env node
// `bosun` command: a thin launcher for the built CLI (out/main/cli.js), so the bin works from a
// source checkout and from an installed package alike.
'use strict';
// Plain CommonJS on purpose: it runs unbundled on any Node, before anything is built.
/* eslint-disable @typescript-eslint/no-require-imports */
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  console.error(`bosun: the CLI is not built yet (${cli} is missing). Run \`npm run build\` first.`);
  process.exit(1);
}

require(cli)
  .main(process.argv.slice(2))
  .catch((error) => {
    console.error(`bosun: ${(error && error.stack) || String(error)}`);
    process.exit(1);
  });
