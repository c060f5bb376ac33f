// The training failures the user must not miss (CONTEXT.md stories 1, 2 and 4), raised LIVE. This
// file judges nothing: the rules and thresholds are the audit's history checks in live mode
// (src/seg/audit/history.ts, thresholds in src/seg/audit/rules.ts beside the after-run ones). It
// passes them what only the trainer knows (the loss of the first steps, whether the loss is a pure
// cross-entropy) and decides only when to show a finding: once while it holds, again after it
// cleared, so a 100-epoch run does not repeat one warning a hundred times.
import { checkStepLoss, historyFindings } from '../../seg/audit/index.ts';
import type { Finding } from '../../seg/audit/index.ts';
import type { EpochRecord } from '../../seg/history.ts';
import type { TrainingWarning, WarningKind } from './events.ts';

const KINDS: ReadonlySet<string> = new Set<WarningKind>(['not-learning', 'collapsed', 'class-never-predicted', 'diverged', 'overfitting']);

/** A finding of the live history checks as the trainer's warning event (its title and message, its action as the hint). */
export function warningOf(f: Finding, epoch: number): TrainingWarning {
  if (!KINDS.has(f.id)) throw new Error(`The live history checks returned ${f.id}, which is no training warning.`);
  return { kind: f.id as WarningKind, epoch, message: `${f.title}. ${f.message}`, hint: f.action, details: { ...f.evidence }, finding: f };
}

export interface StepInput {
  epoch: number;
  /** 1-based step within the epoch. */
  step: number;
  loss: number;
  initialLoss: number | null;
  lr: number;
}

/** After every step: the warning that stops training (NaN/exploding loss), or null. */
export function stepWarning(s: StepInput): TrainingWarning | null {
  const [f] = checkStepLoss({ epoch: s.epoch, step: s.step, loss: s.loss, initialLoss: s.initialLoss, learningRate: s.lr });
  return f ? warningOf(f, s.epoch) : null;
}

export interface LiveInput {
  history: readonly EpochRecord[];
  /** Mean loss of the first steps of the run (before learning could move it). */
  initialLoss: number | null;
  /** ln K for softmax CE, ln 2 for sigmoid; null when the loss is not a pure cross-entropy. */
  chanceLoss: number | null;
}

/** Every live finding for the history so far (the audit's history checks in live mode). */
export function liveFindings(input: LiveInput): Finding[] {
  return historyFindings(input.history, { mode: 'live', initialLoss: input.initialLoss, chanceLoss: input.chanceLoss });
}

/**
 * The epoch-end warnings to raise now. `active` holds the kinds raised before and still true; a
 * kind is raised again only after it had cleared. Returns the new warnings and the kinds active
 * after this epoch.
 */
export function epochWarnings(input: LiveInput, active: ReadonlySet<string>): { raise: TrainingWarning[]; active: Set<string> } {
  const last = input.history[input.history.length - 1];
  const found = last ? liveFindings(input).map((f) => warningOf(f, last.epoch)) : [];
  const now = new Set(found.map((w) => w.kind));
  return { raise: found.filter((w) => !active.has(w.kind)), active: now };
}
