// The job module the training child runs by default: src/train's trainer on the project
// (trainer-adapter.ts). Kept separate so that tests can run the job plumbing with a double
// (test/app/fixtures/fake-train-job.ts) without loading TensorFlow.js.
export { runTrainer as runJob } from './trainer-adapter.ts';
