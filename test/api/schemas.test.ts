// Every schema of the contract: its sample is accepted; every field, given the wrong type, is
// refused with an error naming that field's path; every number field refuses NaN and ±Infinity
// (so does every nullable metric: null is the only way to say "undefined").
import { describe, expect, it } from 'vitest';
import { EVENTS, EVENT_NAMES, METHODS, METHOD_NAMES, ContractError, formatPath, parseEvent, parseParams, parseResult } from '../../src/api/index.ts';
import type { MethodName, ValidationIssue } from '../../src/api/index.ts';
import { EVENT_SAMPLES, METHOD_SAMPLES } from './samples.ts';

type Path = (string | number)[];
/**
 * Fields typed `unknown` on purpose (free-form details and the trainer's config.json), and a
 * finding's evidence: named scalars of any kind (number, string, boolean, null), checked below.
 */
const FREE_FORM = new Set(['details', 'config', 'evidence']);

function leaves(v: unknown, path: Path = []): { path: Path; value: unknown }[] {
  if (v !== null && typeof v === 'object') {
    const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
    return entries.flatMap(([k, x]) => (typeof k === 'string' && FREE_FORM.has(k) ? [] : leaves(x, [...path, k])));
  }
  return [{ path, value: v }];
}

function setAt(obj: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(obj) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path[path.length - 1]] = value;
  return copy;
}

/** Values of the wrong kind for a leaf; numbers also get the non-finite ones. */
function wrongValues(v: unknown): unknown[] {
  if (typeof v === 'number') return ['7', NaN, Infinity, -Infinity];
  if (typeof v === 'string') return [42];
  if (typeof v === 'boolean') return ['yes'];
  if (v === null) return [NaN, Infinity];
  return [];
}

function issuesOf(fn: () => unknown): ValidationIssue[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ContractError);
    expect((e as ContractError).name).toBe('ValidationError');
    return (e as ContractError).details.issues as ValidationIssue[];
  }
  throw new Error('accepted');
}

function expectRefusedAt(fn: () => unknown, path: Path, shown: string): void {
  let issues: ValidationIssue[];
  try {
    issues = issuesOf(fn);
  } catch {
    throw new Error(`${shown} was accepted`);
  }
  expect(issues.map((i) => i.path), shown).toContain(formatPath(path));
}

function cases(sample: unknown): { path: Path; bad: unknown; label: string }[] {
  return leaves(sample).flatMap(({ path, value }) => wrongValues(value).map((bad) => ({ path, bad, label: `${formatPath(path)} = ${String(bad)}` })));
}

describe("a finding's evidence", () => {
  const result = METHOD_SAMPLES.metricsTable.result;
  it.each([NaN, Infinity, -Infinity, { nested: 1 }, [1, 2]])('refuses %s as an evidence value, naming the path', (bad) => {
    expectRefusedAt(() => parseResult('metricsTable', setAt(result, ['findings', 0, 'evidence', 'gtPixels'], bad)), ['findings', 0, 'evidence', 'gtPixels'], String(bad));
    expectRefusedAt(() => parseResult('metricsTable', setAt(result, ['findings', 0, 'perImage', 0, 'evidence', 'gtPixels'], bad)), ['findings', 0, 'perImage', 0, 'evidence', 'gtPixels'], String(bad));
  });
});

describe('method schemas', () => {
  it('has a sample for every method', () => {
    expect(Object.keys(METHOD_SAMPLES).sort()).toEqual([...METHOD_NAMES].sort());
  });

  describe.each(METHOD_NAMES.map((m) => [m] as [MethodName]))('%s', (m) => {
    const { params, result } = METHOD_SAMPLES[m];
    it('accepts its sample params and result', () => {
      expect(parseParams(m, params)).toEqual(params);
      expect(parseResult(m, result)).toEqual(result);
    });
    it('refuses unknown params, naming them', () => {
      const issues = issuesOf(() => parseParams(m, { ...params, bogusField: 1 }));
      expect(issues.map((i) => i.message).join(' ')).toContain('bogusField');
    });
    it('refuses a non-object as params', () => {
      expect(issuesOf(() => parseParams(m, 'x'))[0].path).toBe('(top level)');
    });
    it.each(cases(params))('params: refuses $label', ({ path, bad }) => {
      expectRefusedAt(() => parseParams(m, setAt(params, path, bad)), path, `params of ${m}`);
    });
    it.each(cases(result))('result: refuses $label', ({ path, bad }) => {
      expectRefusedAt(() => parseResult(m, setAt(result, path, bad)), path, `result of ${m}`);
    });
  });

  it('names the method and the field in the message', () => {
    expect(() => parseParams('openProject', { dir: 3 })).toThrow(/params of openProject: dir: /);
  });

  it('keeps every method kind consistent with its schemas', () => {
    for (const m of METHOD_NAMES) {
      const spec = METHODS[m];
      if (spec.kind === 'download') {
        // Download params travel in a URL query: flat string fields only.
        for (const v of Object.values(METHOD_SAMPLES[m].params)) expect(typeof v).toBe('string');
      }
    }
  });
});

describe('event schemas', () => {
  it('has a sample for every event', () => {
    expect(Object.keys(EVENT_SAMPLES).sort()).toEqual([...EVENT_NAMES].sort());
    expect(Object.keys(EVENTS).sort()).toEqual([...EVENT_NAMES].sort());
  });

  describe.each(EVENT_NAMES.map((e) => [e]))('%s', (type) => {
    const payload = EVENT_SAMPLES[type as keyof typeof EVENT_SAMPLES];
    it('accepts its sample', () => {
      expect(parseEvent({ type, payload })).toEqual({ type, payload });
    });
    it.each(cases(payload))('refuses $label', ({ path, bad }) => {
      expectRefusedAt(() => parseEvent({ type, payload: setAt(payload, path, bad) }), path, `event ${type}`);
    });
  });

  it('refuses an event that is not in the contract, and a malformed envelope', () => {
    expect(issuesOf(() => parseEvent({ type: 'project.deleted', payload: {} }))[0].path).toBe('type');
    expect(issuesOf(() => parseEvent({ payload: {} }))[0].path).toBe('type');
    expect(issuesOf(() => parseEvent('hello'))[0].path).toBe('(top level)');
  });
});
