// NaN means "undefined" in every figure, and JSON.stringify would turn it into null anyway — but
// silently, and a reader that does `?? 0` or `Number(x)` then gets 0. These helpers make the
// conversion explicit and typed: every non-finite number becomes null on the way out, and every
// null becomes NaN on the way back in, so `fromJSONSafe(toJSONSafe(r))` is `r` again.

/** `T` with every number field widened to `number | null` (recursively). */
export type JsonSafe<T> = T extends number
  ? number | null
  : T extends string | boolean | null | undefined
    ? T
    : T extends readonly (infer U)[]
      ? JsonSafe<U>[]
      : T extends object
        ? { [K in keyof T]: JsonSafe<T[K]> }
        : T;

function mapNumbers(value: unknown, f: (v: number | null) => unknown): unknown {
  if (typeof value === 'number' || value === null) return f(value);
  if (Array.isArray(value)) return value.map((v) => mapNumbers(v, f));
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, (v) => f(v));
  if (typeof value === 'object' && value !== undefined) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = mapNumbers(v, f);
    return out;
  }
  return value;
}

/** Deep copy with NaN / ±Infinity replaced by null; safe for JSON.stringify without loss of meaning. */
export function toJSONSafe<T>(value: T): JsonSafe<T> {
  return mapNumbers(value, (v) => (v === null || !Number.isFinite(v) ? null : v)) as JsonSafe<T>;
}

/** Inverse of toJSONSafe for results: every null becomes NaN (the result shapes have no other nulls). */
export function fromJSONSafe<T>(value: JsonSafe<T>): T {
  return mapNumbers(value, (v) => (v === null ? NaN : v)) as T;
}
