// What the main process starts as a job utility process (job-relay.ts): a training, a report or a
// prediction, run by src/app/training/worker.ts, which speaks over process.parentPort. TypeScript sources
// through tsx, as engine-entry.mjs loads the engine.
import { register } from 'tsx/esm/api';

register();
await import('../src/app/training/worker.ts');
