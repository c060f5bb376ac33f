// Entry of the engine utility process (bundled by tools/bundle.mjs to out/node/engine.js):
// the workspace service served on process.parentPort. On `shutdown` (or SIGTERM) it stops the
// training child, which saves its `last` checkpoint, and exits.
import { Workspace } from '../src/app/workspace.ts';
import type { MessagePortMainLike } from '../src/app/compute-ports.ts';
import { eventSender, parentPortOf, serveEngine } from './engine.ts';
import { EngineJobs } from './engine-jobs.ts';

const port = parentPortOf(process);
if (!port) {
  console.error('seglens engine: no parentPort; this file runs only as an Electron utility process (electron/engine-host.ts starts it).');
  process.exit(2);
}

// Trainings and reports start through main (engine-jobs.ts): no child_process.fork, which would
// need the RunAsNode fuse.
const jobs = new EngineJobs(port);
const workspace = new Workspace({ emit: eventSender(port), launcher: jobs.launcher });
let closing = false;
const shutdown = () => {
  if (closing) return;
  closing = true;
  workspace.close().finally(() => process.exit(0));
};
serveEngine(port, workspace, shutdown, (m) => jobs.deliver(m), (computePort) => workspace.attachComputeMainPort(computePort as MessagePortMainLike));
process.on('SIGTERM', shutdown);
