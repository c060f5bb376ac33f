#!/usr/bin/env node
// The `seglens` command. The sources are TypeScript; tsx compiles them on load so that
// `npx seglens` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
