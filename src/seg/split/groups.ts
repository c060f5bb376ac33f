// Groups: sets of images that must land on the same side of a split. Two sources: the user's
// --group pattern (images of one animal, slide or stack belong together) and duplicates (a copy in
// train and its twin in val would leak). Groups are closed under both (union-find).
import { ConfigError } from '../errors.ts';
import { cmp } from './duplicates.ts';
import type { GroupKeys } from './group-keys.ts';
import type { DuplicatePair } from './types.ts';

export interface Group {
  /** Stable id: the group key of the pattern, else the first member's name. */
  key: string;
  /** Member names, sorted. */
  names: string[];
}

/** Compile a --group pattern, with a ConfigError that says what was wrong. */
export function compileGroupPattern(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (e) {
    throw new ConfigError(`The group pattern ${JSON.stringify(pattern)} is not a valid regular expression (${(e as Error).message}).`, {
      pattern,
    });
  }
}

/**
 * Group key of a name: the first capture group of the pattern (or the whole match when the pattern
 * has no group). Undefined when the name does not match: the image is then a group of its own.
 */
export function groupKey(name: string, re: RegExp | undefined): string | undefined {
  if (!re) return undefined;
  const m = re.exec(name);
  if (!m) return undefined;
  return m.length > 1 && m[1] !== undefined ? m[1] : m[0];
}

/**
 * Partition `names` into groups by pattern key (computed with a time limit by groupKeysOf) and
 * duplicate pairs. Output sorted by key.
 */
export function buildGroups(names: readonly string[], keys: GroupKeys | undefined, duplicates: readonly DuplicatePair[] = []): Group[] {
  const sorted = [...names].sort(cmp);
  const index = new Map(sorted.map((n, i) => [n, i]));
  const parent = sorted.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  // Union to the smaller index so the root is the first member in name order.
  const union = (i: number, j: number) => {
    const [a, b] = [find(i), find(j)];
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  };
  const byKey = new Map<string, number>();
  const keyOf = new Map<number, string>();
  sorted.forEach((n, i) => {
    const k = keys?.keyOf(n);
    if (k === undefined) return;
    const first = byKey.get(k);
    if (first === undefined) {
      byKey.set(k, i);
      keyOf.set(i, k);
    } else union(first, i);
  });
  for (const d of duplicates) {
    const i = index.get(d.a);
    const j = index.get(d.b);
    if (i !== undefined && j !== undefined) union(i, j);
  }
  const members = new Map<number, string[]>();
  sorted.forEach((n, i) => {
    const r = find(i);
    members.set(r, [...(members.get(r) ?? []), n]);
  });
  const groups = [...members.entries()].map(([root, ns]) => {
    const keys = ns.map((n) => keyOf.get(index.get(n)!)).filter((k): k is string => k !== undefined);
    return { key: keys[0] ?? sorted[root], names: ns };
  });
  return groups.sort((x, y) => cmp(x.key, y.key) || cmp(x.names[0], y.names[0]));
}
