// One catalogue of ids for data problems and audit findings (src/seg/checks.ts): no id twice, each
// with a one-line meaning, and the ids the two share really are findings.
import { describe, expect, it } from 'vitest';
import { CHECKS, FILE_PROBLEM_IDS, FINDING_IDS, SHARED_IDS } from '../../src/seg/checks.ts';
import { ALL_FINDING_IDS } from '../../src/seg/audit/index.ts';

describe('the catalogue of checks', () => {
  it('holds every finding and every file problem once, each with a one-line meaning', () => {
    const findings = Object.keys(FINDING_IDS);
    const files = Object.keys(FILE_PROBLEM_IDS);
    expect(findings.filter((id) => files.includes(id))).toEqual([]);
    expect(Object.keys(CHECKS).sort()).toEqual([...findings, ...files].sort());
    expect([...ALL_FINDING_IDS].sort()).toEqual([...findings].sort());
    for (const [id, meaning] of Object.entries(CHECKS)) {
      expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(meaning.length, id).toBeGreaterThan(20);
      expect(meaning, id).not.toContain('\n');
    }
  });
  it('the ids a problem shares with the audit are findings', () => {
    for (const id of SHARED_IDS) expect(FINDING_IDS).toHaveProperty([id]);
    expect(new Set(SHARED_IDS).size).toBe(SHARED_IDS.length);
  });
});
