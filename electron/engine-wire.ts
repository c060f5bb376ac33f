// Messages between the main process (engine-host.ts) and the engine utility process (engine.ts),
// over Electron's parentPort. Both sides parse what they receive with these schemas: a message is
// never trusted because of where it came from (the engine runs user data through sharp and tfjs;
// main forwards what a renderer sent).
//   main -> engine   {id, kind: 'call' | 'download', method, params}   {id, kind: 'upload', method, frame}
//                    {kind: 'shutdown'}
//                    {kind: 'job-message', job, message}   {kind: 'job-exit', job, code, signal}
//                    {kind: 'compute-port'} with a MessagePort: the GPU compute window's worker
//   engine -> main   {kind: 'reply', id, response}   response = wire.ts Response (download: result is the frame)
//                    {kind: 'event', event: {type, payload}}   {kind: 'ready'}
//                    {kind: 'job-start', job}   {kind: 'job-send', job, message}   {kind: 'job-kill', job}
// The job messages start and drive job processes (trainings, reports): the engine cannot start
// processes itself without the RunAsNode fuse, so main starts each as a utility process and relays
// (job-relay.ts, engine-jobs.ts). What a job says is checked by the engine (jobs.ts), not here.
import { z } from 'zod';
import { WireErrorSchema } from '../src/api/errors.ts';

const id = z.number().int().min(1);
const method = z.string().min(1).max(64);
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected a byte array');

export const ToEngineSchema = z.discriminatedUnion('kind', [
  z.object({ id, kind: z.literal('call'), method, params: z.unknown() }),
  z.object({ id, kind: z.literal('download'), method, params: z.record(z.string(), z.string()) }),
  z.object({ id, kind: z.literal('upload'), method, frame: bytes }),
  /** Stop training (checkpoints are saved) and exit; main kills the process if it takes too long. */
  z.object({ kind: z.literal('shutdown') }),
  z.object({ kind: z.literal('job-message'), job: id, message: z.unknown() }),
  z.object({ kind: z.literal('job-exit'), job: id, code: z.number().int().nullable(), signal: z.string().nullable() }),
  /** The GPU compute window's port travels with this message (its `ports`): compute-window.ts. */
  z.object({ kind: z.literal('compute-port') }),
]);
export type ToEngine = z.infer<typeof ToEngineSchema>;
export type EngineRequest = Extract<ToEngine, { kind: 'call' | 'download' | 'upload' }>;
export type JobFromMain = Extract<ToEngine, { kind: 'job-message' | 'job-exit' }>;

export const EngineResponseSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: WireErrorSchema }),
]);
export type EngineResponse = z.infer<typeof EngineResponseSchema>;

export const FromEngineSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('reply'), id, response: EngineResponseSchema }),
  z.object({ kind: z.literal('event'), event: z.object({ type: z.string(), payload: z.unknown() }) }),
  z.object({ kind: z.literal('ready') }),
  z.object({ kind: z.literal('job-start'), job: id }),
  z.object({ kind: z.literal('job-send'), job: id, message: z.unknown() }),
  z.object({ kind: z.literal('job-kill'), job: id }),
]);
export type FromEngine = z.infer<typeof FromEngineSchema>;
export type JobToMain = Extract<FromEngine, { kind: 'job-start' | 'job-send' | 'job-kill' }>;
