// The one gate before training, the same as `seglens train`'s: src/seg's inspection decides what
// blocks (a critical finding, a data problem included, about an image the project does not
// exclude); here it becomes a BlockedError naming each one, with the blocking findings as the
// contract carries them.
import type { InspectFinding } from '../api/index.ts';
import { ContractError, ERROR_NAMES } from '../api/index.ts';
import { blockers, inspectDataset } from '../seg/dataset/index.ts';
import type { InspectFinding as SegInspectFinding } from '../seg/dataset/index.ts';
import { toWireFinding } from './findings.ts';
import type { OpenProject } from './open-project.ts';

/** An inspection finding as the contract carries it. */
export function wireInspectFinding(f: SegInspectFinding): InspectFinding {
  return { ...toWireFinding(f), blocking: f.blocking };
}

/**
 * Inspects the project (recording the result for the image list's counts) and throws a
 * BlockedError listing every blocking finding, or returns when training may start.
 */
export async function refuseBlocked(p: OpenProject, onProgress: (done: number, total: number, item: string) => void): Promise<void> {
  const r = await inspectDataset(p.ds, { onProgress });
  p.inspected = { findings: r.findings };
  if (!r.blocking) return;
  const list = blockers(r).map(wireInspectFinding);
  const lines = list.map((f) => `${f.id}${f.images.length ? ` (${f.images.join(', ')})` : f.files?.length ? ` (${f.files.join(', ')})` : ''}: ${f.message}`);
  throw new ContractError(
    ERROR_NAMES.blocked,
    `Training is refused: ${list.length} problem(s) with the data must be fixed first, or the images concerned excluded from training. ${lines.join(' ')}`,
    { blockers: list },
  );
}
