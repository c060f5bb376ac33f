// Engine side of on-demand prediction: one prediction child at a time (two on a 2-core machine
// would each run at half speed), its progress relayed as `task.progress` events, its outcome or
// its error returned to the caller. A request for the same run and images while one is under way
// gets that one's answer instead of a second process. The process is a job process like a
// training's or a report's, started by the same launcher (../training/launcher.ts).
import { pathToFileURL } from 'node:url';
import { programFile } from '../../seg/runtime.ts';
import { ContractError, ERROR_NAMES } from '../../api/index.ts';
import { busy } from '../errors.ts';
import { forkJobProcess } from '../training/launcher.ts';
import type { JobLauncher, JobProcess } from '../training/launcher.ts';
import { checkJobMessage } from '../training/job-message.ts';
import type { ControlMessage } from '../training/protocol.ts';
import { PredictMessageSchema } from './predict-protocol.ts';
import type { PredictOutcome, PredictRequest } from './predict-protocol.ts';

const PREDICT_JOB = programFile('src/app/predict/predict-job.ts', 'predict-job');

export interface PredictRunnerOptions {
  onProgress: (done: number, total: number, item: string | null) => void;
  /** Job module the child runs (tests may pass a double). */
  jobModule?: string;
  /** How the job process starts (the desktop app passes its own; default a Node child). */
  launcher?: JobLauncher;
}

interface Running {
  key: string;
  runDir: string;
  child: JobProcess;
  done: Promise<PredictOutcome>;
}

export class PredictRunner {
  private running: Running | null = null;

  constructor(private readonly opts: PredictRunnerOptions) {}

  /** The run folder being predicted, if any. */
  get busyWith(): string | null {
    return this.running?.runDir ?? null;
  }

  run(request: PredictRequest): Promise<PredictOutcome> {
    const key = `${request.runDir}\u0000${request.items.map((i) => i.name).join('\u0000')}`;
    if (this.running?.key === key) return this.running.done;
    if (this.running) throw busy(`Predictions of ${this.running.runDir} are being made; wait until they are done (the progress is shown), then ask again.`, { runDir: this.running.runDir });
    const child = (this.opts.launcher ?? forkJobProcess)();
    const done = new Promise<PredictOutcome>((resolve, reject) => {
      let outcome: PredictOutcome | null = null;
      let failure: ContractError | null = null;
      child.onMessage((raw) => {
        const checked = checkJobMessage(PredictMessageSchema, raw, 'prediction process', 'the predictions were stopped');
        if (!checked.ok) {
          failure ??= ContractError.fromWire(checked.error);
          child.kill();
          return;
        }
        const m = checked.message;
        if (m.type === 'progress') this.opts.onProgress(m.done, m.total, m.item);
        else if (m.type === 'done') outcome = m.outcome;
        else failure = ContractError.fromWire(m.error);
      });
      // A process that could not start may never report an exit.
      child.onError((e) => reject(new ContractError(ERROR_NAMES.transport, `The prediction process could not start (${e.message}).`, {})));
      child.onExit((code, signal) => {
        if (outcome) resolve(outcome);
        else
          reject(
            failure ??
              new ContractError(ERROR_NAMES.transport, `The prediction process ${signal ? `was killed (${signal})` : `exited with code ${code}`} before it finished. The predictions made so far are kept; ask again to make the rest.`, { code, signal }),
          );
      });
    });
    child.send({ type: 'start', module: pathToFileURL(this.opts.jobModule ?? PREDICT_JOB).href, request } satisfies ControlMessage);
    const running: Running = { key, runDir: request.runDir, child, done };
    this.running = running;
    const clear = () => {
      if (this.running === running) this.running = null;
    };
    done.then(clear, clear);
    return done;
  }

  /** Ends a prediction under way (engine shutdown). */
  async shutdown(): Promise<void> {
    const r = this.running;
    if (!r) return;
    r.child.kill();
    await r.done.catch(() => undefined);
  }
}
