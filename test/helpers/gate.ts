// A write gate for tests that write fixtures with the project's own writers: everything inside
// `dir` (a temporary folder) may be written, nothing outside it.
import { WriteGate } from '../../src/seg/write-gate.ts';

export function testGate(dir: string): Promise<WriteGate> {
  return WriteGate.open({ who: 'the test', roots: [{ dir, what: 'the test folder', project: true }] });
}
