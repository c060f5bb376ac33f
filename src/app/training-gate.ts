// The one gate before training, the same as `seglens train`'s: src/seg's inspection decides what
// blocks (a blocking problem or a critical finding about an image the project does not exclude);
// here it becomes the contract's flat Blocker and a BlockedError naming each one.
import type { InspectResult } from '../api/index.ts';
import { ContractError, ERROR_NAMES } from '../api/index.ts';
import { inspectDataset } from '../seg/dataset/index.ts';
import type { Blocker as SegBlocker } from '../seg/dataset/index.ts';
import type { OpenProject } from './open-project.ts';

type WireBlocker = InspectResult['blockers'][number];

/** A blocker of src/seg's inspection in the contract's flat form. */
export function wireBlocker(b: SegBlocker): WireBlocker {
  switch (b.kind) {
    case 'problem':
      return { kind: 'problem', code: b.problem.code, file: b.problem.file, message: b.problem.message, action: b.problem.hint, images: b.image ? [b.image] : [] };
    case 'finding':
      return { kind: 'finding', code: b.finding.id, file: null, message: b.finding.message, action: b.finding.action, images: b.images };
    case 'no-pairs':
      return { kind: 'no-pairs', code: 'no-pairs', file: null, message: b.message, action: 'Check the image and mask folders and the pairing rule (seglens inspect), or bring excluded images back.', images: [] };
  }
}

/**
 * Inspects the project (recording the result for the image list's counts) and throws a
 * BlockedError listing every blocker, or returns when training may start.
 */
export async function refuseBlocked(p: OpenProject, onProgress: (done: number, total: number, item: string) => void): Promise<void> {
  const r = await inspectDataset(p.ds, { onProgress });
  p.inspected = { problems: r.problems, findings: r.findings };
  if (!r.blocking) return;
  const blockers = r.blockers.map(wireBlocker);
  const lines = blockers.map((b) => `${b.code}${b.images.length ? ` (${b.images.join(', ')})` : b.file ? ` (${b.file})` : ''}: ${b.message}`);
  throw new ContractError(
    ERROR_NAMES.blocked,
    `Training is refused: ${blockers.length} problem(s) with the data must be fixed first, or the images concerned excluded from training. ${lines.join(' ')}`,
    { blockers },
  );
}
