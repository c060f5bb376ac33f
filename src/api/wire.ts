// What travels on a transport, around the payloads of contract.ts, and the checks both sides run:
//   call     -> params JSON              <- {ok: true, result} | {ok: false, error: {name, message, details}}
//   download -> params (flat strings)    <- binary frame (frame.ts), header = method's result schema
//   upload   -> frame, header = params   <- same JSON envelope as call
//   events   <- {type, payload}
// Every parse names the bad field's path (errors.ts parseWith).
import { z } from 'zod';
import { EVENTS, METHODS, isEventName } from './contract.ts';
import type { ContractEvent, MethodName } from './contract.ts';
import { ContractError, ERROR_NAMES, WireErrorSchema, parseWith } from './errors.ts';
import type { WireError } from './errors.ts';

export { ROUTES } from './routes.ts';

/** Largest JSON call body. */
export const JSON_BODY_LIMIT = 1024 * 1024;
/** Largest upload frame (a 4096 x 4096 mask is 16 MiB; 64 MiB leaves room for 8192 x 8192). */
export const UPLOAD_LIMIT = 64 * 1024 * 1024;

export const ResponseSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: WireErrorSchema }),
]);
export type Response = { ok: true; result: unknown } | { ok: false; error: WireError };

export const EventEnvelopeSchema = z.object({ type: z.string().min(1), payload: z.unknown() });

export function parseParams<K extends MethodName>(method: K, data: unknown): z.output<(typeof METHODS)[K]['params']> {
  return parseWith(METHODS[method].params, data, `params of ${method}`) as z.output<(typeof METHODS)[K]['params']>;
}

/** For download methods this is the frame header. */
export function parseResult<K extends MethodName>(method: K, data: unknown): z.output<(typeof METHODS)[K]['result']> {
  return parseWith(METHODS[method].result, data, `result of ${method}`) as z.output<(typeof METHODS)[K]['result']>;
}

/** A raw event (already JSON-parsed) as a typed, validated ContractEvent. */
export function parseEvent(data: unknown): ContractEvent {
  const env = parseWith(EventEnvelopeSchema, data, 'event envelope');
  if (!isEventName(env.type)) {
    throw new ContractError(ERROR_NAMES.validation, `The event "${env.type}" is not in the contract.`, {
      where: 'event envelope',
      issues: [{ path: 'type', message: `unknown event "${env.type}"` }],
    });
  }
  const payload = parseWith(EVENTS[env.type], env.payload, `event ${env.type}`);
  return { type: env.type, payload } as ContractEvent;
}

/** A JSON response body as a result, or the ContractError it carries. */
export function unwrapResponse(data: unknown, method: string): unknown {
  const r = parseWith(ResponseSchema, data, `response to ${method}`);
  if (!r.ok) throw ContractError.fromWire(r.error);
  return r.result;
}
