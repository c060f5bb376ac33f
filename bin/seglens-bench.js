#!/usr/bin/env node
// `npm run bench`: runs the benchmarks in bench/ and prints one JSON document.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../bench/main.ts');
process.exitCode = await main(process.argv.slice(2));
