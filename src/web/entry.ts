// The bundle entry of browser mode (out/node/web.js, tools/bundle.mjs), which `seglens serve` and
// `seglens start` start as a process of its own: parses the command line and serves.
import { errorToWire } from '../api/index.ts';
import { parseServeArgs, serve } from './main.ts';

serve(parseServeArgs(process.argv.slice(2))).catch((e) => {
  console.error(`seglens: ${errorToWire(e).message}`);
  process.exit(2);
});
