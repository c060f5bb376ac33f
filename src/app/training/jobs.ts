// Training jobs of the engine: each runs in a job process of its own (worker.ts, started by the
// launcher: launcher.ts), its messages are relayed as contract events, and its state is kept for
// trainingStatus. One job at a time: two trainings on a 2-core machine would each run at half speed
// and fight for memory.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { programFile } from '../../seg/runtime.ts';
import { ContractError, ERROR_NAMES } from '../../api/index.ts';
import type { ContractEvent, EventSink, JobStatus, WireError } from '../../api/index.ts';
import { busy } from '../errors.ts';
import { forkJobProcess } from './launcher.ts';
import type { JobLauncher, JobProcess } from './launcher.ts';
import type { ComputeHub } from '../compute-hub.ts';
import { isComputeEnvelope } from './child-compute.ts';
import { checkJobMessage } from './job-message.ts';
import { JobMessageSchema } from './protocol.ts';
import type { ControlMessage, JobRequest, ParsedJobMessage } from './protocol.ts';

export interface JobManagerOptions {
  emit: EventSink;
  /** Module the child runs (exports runJob); default the src/train adapter, train-job.ts. */
  jobModule?: string;
  /** How long a stopped job may take to save its checkpoint and exit before it is killed, ms. */
  stopGraceMs?: number;
  /** How job processes start (default: a Node child process; the desktop app passes its own). */
  launcher?: JobLauncher;
  /** The GPU compute a job may borrow (the page's or the compute window's worker). */
  computeHub?: ComputeHub;
}

interface Job {
  status: JobStatus;
  child: JobProcess;
  ended: Promise<void>;
}

const DEFAULT_JOB = programFile('src/app/training/train-job.ts', 'train-job');

const TERMINAL = new Set(['finished', 'stopped', 'diverged', 'time-limit', 'failed']);

export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly opts: JobManagerOptions;

  constructor(opts: JobManagerOptions) {
    this.opts = opts;
  }

  /** Starts a job; resolves once it has a run folder (its `started` message), rejects if it fails first. */
  start(request: JobRequest): Promise<{ jobId: string; runId: string }> {
    const running = [...this.jobs.values()].find((j) => !TERMINAL.has(j.status.state));
    if (running) {
      throw busy(`A training is already running (run ${running.status.runId || 'starting'}). Stop it first, or wait for it to finish.`, { jobId: running.status.jobId });
    }
    const jobId = randomUUID();
    const child = (this.opts.launcher ?? forkJobProcess)();
    // The GPU compute worker, if one is connected, is lent to this job: its messages go through
    // the job process's channel as {type: 'compute'} (child-compute.ts).
    const lent = this.opts.computeHub?.borrow((message) => child.send({ type: 'compute', message } satisfies ControlMessage));
    const gpuCompute = lent ? (this.opts.computeHub?.source ?? undefined) : undefined;
    const status: JobStatus = {
      jobId,
      runId: request.resume?.runId ?? 'pending',
      state: 'starting',
      epoch: 0,
      epochs: request.resume?.epochs ?? request.options.epochs ?? 0,
      backend: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      etaSeconds: null,
      lastEpoch: null,
      reason: null,
      resumeOn: null,
      error: null,
    };
    let resolveStart!: (v: { jobId: string; runId: string }) => void;
    let rejectStart!: (e: unknown) => void;
    const started = new Promise<{ jobId: string; runId: string }>((res, rej) => ((resolveStart = res), (rejectStart = rej)));
    const ended = new Promise<void>((res) => child.onExit(() => res()));
    void ended.then(() => lent?.release());
    const job: Job = { status, child, ended };
    this.jobs.set(jobId, job);

    child.onMessage((raw) => {
      if (isComputeEnvelope(raw)) return lent?.send(raw.message);
      // The channel keeps NaN and Infinity (structured clone); job messages become contract
      // events, where a number is finite or null: the JSON round trip a JSON channel would make.
      // Then checked against the events' own schemas: a malformed message is a bug in the job,
      // which is stopped with the reason rather than relayed to the page.
      const checked = checkJobMessage(JobMessageSchema, raw, 'training process', 'the training was stopped');
      if (!checked.ok) {
        if (!TERMINAL.has(job.status.state)) this.stop(jobId);
        this.fail(job, checked.error);
        rejectStart(ContractError.fromWire(checked.error));
        return;
      }
      const msg = checked.message;
      this.onMessage(job, msg);
      // The job is over once it says so: the next job may borrow the GPU before this process exits.
      if (msg.type === 'finished' || msg.type === 'failed') lent?.release();
      if (msg.type === 'started') resolveStart({ jobId, runId: msg.runId });
      if (msg.type === 'failed') rejectStart(ContractError.fromWire(msg.error));
    });
    child.onError((e) => this.fail(job, { name: 'Error', message: `The training process could not start: ${e.message}`, details: {} }));
    child.onExit((code, signal) => {
      if (!TERMINAL.has(job.status.state)) {
        const why = signal ? `was killed (${signal})` : `exited with code ${code}`;
        this.fail(job, { name: ERROR_NAMES.transport, message: `The training process ${why} before it finished. The run can be resumed from its last checkpoint.`, details: { code, signal } });
      }
      rejectStart(ContractError.fromWire(job.status.error ?? { name: 'Error', message: 'The training process ended before it started.', details: {} }));
    });
    child.send({ type: 'start', module: pathToFileURL(this.opts.jobModule ?? DEFAULT_JOB).href, request: { ...request, ...(gpuCompute ? { gpuCompute } : {}) } });
    return started;
  }

  stop(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job) throw new ContractError(ERROR_NAMES.notFound, `There is no training job ${jobId}. trainingStatus lists the jobs.`, { what: 'job', value: jobId });
    if (TERMINAL.has(job.status.state)) return false;
    job.status.state = 'stopping';
    job.child.send({ type: 'stop' });
    const timer = setTimeout(() => job.child.kill(), this.opts.stopGraceMs ?? 60_000);
    void job.ended.then(() => clearTimeout(timer));
    return true;
  }

  status(): JobStatus[] {
    return [...this.jobs.values()].map((j) => structuredClone(j.status));
  }

  /** Run ids of jobs that have not ended. */
  liveRunIds(): Set<string> {
    return new Set([...this.jobs.values()].filter((j) => !TERMINAL.has(j.status.state)).map((j) => j.status.runId));
  }

  /** Stops every job and waits for the processes to end (killing them after the grace time). */
  async shutdown(): Promise<void> {
    const live = [...this.jobs.values()].filter((j) => !j.child.exited);
    for (const j of live) if (!TERMINAL.has(j.status.state)) this.stop(j.status.jobId);
    for (const j of live) if (TERMINAL.has(j.status.state)) j.child.kill();
    await Promise.all(live.map((j) => j.ended));
  }

  private emit(ev: ContractEvent): void {
    this.opts.emit(ev);
  }

  private fail(job: Job, error: WireError): void {
    const s = job.status;
    if (TERMINAL.has(s.state)) return;
    s.state = 'failed';
    s.error = error;
    s.reason = error.message;
    s.finishedAt = new Date().toISOString();
    this.emit({ type: 'training.finished', payload: { jobId: s.jobId, runId: s.runId, status: 'failed', reason: error.message, epochs: s.epoch, bestEpoch: null, resumeOn: null, error } });
  }

  private onMessage(job: Job, msg: ParsedJobMessage): void {
    const s = job.status;
    const ids = { jobId: s.jobId, runId: s.runId };
    switch (msg.type) {
      case 'started':
        s.runId = msg.runId;
        s.state = s.state === 'stopping' ? 'stopping' : 'running';
        s.backend = msg.backend;
        s.epochs = msg.epochs;
        s.epoch = msg.resumedAfter;
        this.emit({ type: 'training.started', payload: { jobId: s.jobId, runId: msg.runId, backend: msg.backend, epochs: msg.epochs, stepsPerEpoch: msg.stepsPerEpoch, resumedAfter: msg.resumedAfter, split: msg.split, monitor: msg.monitor } });
        return;
      case 'step':
        s.etaSeconds = msg.etaSeconds;
        this.emit({ type: 'training.step', payload: { ...ids, epoch: msg.epoch, step: msg.step, stepsPerEpoch: msg.stepsPerEpoch, loss: msg.loss, epochLoss: msg.epochLoss, etaSeconds: msg.etaSeconds } });
        return;
      case 'epoch':
        s.epoch = msg.record.epoch;
        s.lastEpoch = msg.record;
        s.etaSeconds = msg.etaSeconds;
        this.emit({ type: 'training.epoch', payload: { ...ids, record: msg.record, etaSeconds: msg.etaSeconds } });
        return;
      case 'preview':
        this.emit({ type: 'training.preview', payload: { ...ids, epoch: msg.epoch, name: msg.name } });
        return;
      case 'warning':
        this.emit({ type: 'training.warning', payload: { ...ids, code: msg.code, message: msg.message, hint: msg.hint, epoch: msg.epoch } });
        return;
      case 'checkpoint':
        this.emit({ type: 'training.checkpoint', payload: { ...ids, epoch: msg.epoch, kind: msg.kind } });
        return;
      case 'progress':
        this.emit({ type: 'task.progress', payload: { task: msg.task, done: msg.done, total: msg.total, item: msg.item } });
        return;
      case 'finished':
        s.state = msg.status;
        s.reason = msg.reason;
        s.resumeOn = msg.resumeOn ?? null;
        s.epoch = msg.epochs;
        s.etaSeconds = 0;
        s.finishedAt = new Date().toISOString();
        this.emit({ type: 'training.finished', payload: { ...ids, status: msg.status, reason: msg.reason, epochs: msg.epochs, bestEpoch: msg.bestEpoch, resumeOn: msg.resumeOn ?? null, error: null } });
        return;
      case 'failed':
        this.fail(job, msg.error);
        return;
    }
  }
}
