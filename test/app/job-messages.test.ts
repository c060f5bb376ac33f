// The prediction and report processes' messages are checked against their schemas before the
// engine acts on them (src/app/training/job-message.ts), as the training job's are: a malformed
// message stops the process and names the field; well-formed ones go through unchanged. The
// processes are stand-ins that say what each test gives them.
import { describe, expect, it } from 'vitest';
import { PredictRunner } from '../../src/app/predict/predict-runner.ts';
import { runReportJob } from '../../src/app/report-job.ts';
import type { JobProcess } from '../../src/app/training/launcher.ts';

/** A job process that answers `start` with `messages`, then exits 0 (or when killed, by SIGKILL). */
function standIn(messages: unknown[]): { launcher: () => JobProcess; killed: () => boolean } {
  let killed = false;
  const launcher = (): JobProcess => {
    const onMessage: ((m: unknown) => void)[] = [];
    const onExit: ((code: number | null, signal: string | null) => void)[] = [];
    let exited = false;
    const exit = (code: number | null, signal: string | null) => {
      if (exited) return;
      exited = true;
      setImmediate(() => onExit.forEach((l) => l(code, signal)));
    };
    return {
      send: (m) => {
        if ((m as { type?: string }).type !== 'start') return;
        setImmediate(() => {
          for (const msg of messages) if (!exited) onMessage.forEach((l) => l(msg));
          exit(0, null);
        });
      },
      onMessage: (l) => void onMessage.push(l),
      onExit: (l) => void onExit.push(l),
      onError: () => undefined,
      kill: () => {
        killed = true;
        exit(null, 'SIGKILL');
      },
      get exited() {
        return exited;
      },
    };
  };
  return { launcher, killed: () => killed };
}

const outcome = { epoch: 3, predicted: ['a'], cached: [], problems: [], backend: { name: 'wasm', reason: 'no native addon' } };

describe('prediction process messages', () => {
  it('pass when well-formed: progress is reported and the outcome returned', async () => {
    const progress: [number, number, string | null][] = [];
    const s = standIn([{ type: 'progress', done: 1, total: 1, item: 'a' }, { type: 'done', outcome }]);
    const r = new PredictRunner({ onProgress: (d, t, i) => progress.push([d, t, i]), launcher: s.launcher });
    await expect(r.run({ runDir: '/run', items: [{ name: 'a', image: '/a.tif' }], page: 0 })).resolves.toEqual(outcome);
    expect(progress).toEqual([[1, 1, 'a']]);
    expect(s.killed()).toBe(false);
  });

  it('stop the process at a malformed one, naming the field', async () => {
    const s = standIn([{ type: 'progress', done: -1, total: 1, item: 'a' }, { type: 'done', outcome }]);
    const r = new PredictRunner({ onProgress: () => undefined, launcher: s.launcher });
    await expect(r.run({ runDir: '/run', items: [{ name: 'a', image: '/a.tif' }], page: 0 })).rejects.toMatchObject({
      name: 'ValidationError',
      message: /prediction process sent an invalid message \(done: .*the predictions were stopped/,
    });
    expect(s.killed()).toBe(true);
  });
});

describe('report process messages', () => {
  it('pass when well-formed', async () => {
    const files = { html: '/r/report.html', json: '/r/report.json', csv: '/r/per_image_class.csv' };
    await expect(runReportJob('/run', { launcher: standIn([{ type: 'report', files }]).launcher })).resolves.toEqual(files);
  });

  it('stop the process at a malformed one, naming the field', async () => {
    const s = standIn([{ type: 'report', files: { html: '', json: '/r/report.json', csv: '/r/c.csv' } }]);
    await expect(runReportJob('/run', { launcher: s.launcher })).rejects.toThrow(/report process sent an invalid message \(files\.html: /);
    expect(s.killed()).toBe(true);
  });
});
