// What blocks training, read off the engine's inspection: the findings it marks blocking (the
// judgement is src/seg's), and the images they name that are not excluded yet (what the
// "Exclude ... from training" buttons offer).
import type { InspectFinding, InspectResult } from '../../../src/api/index.ts';

export function blockingFindings(r: InspectResult | null): InspectFinding[] {
  return r?.blocking ? r.findings.filter((f) => f.blocking) : [];
}

export function blockedImages(r: InspectResult | null): string[] {
  const excluded = new Set((r?.excluded ?? []).map((e) => e.name));
  return [...new Set(blockingFindings(r).flatMap((f) => f.images.filter((n) => !excluded.has(n))))];
}

/** Where a finding points: its images, else its files. */
export function findingPlace(f: InspectFinding): string {
  return f.images.length ? f.images.join(', ') : (f.files ?? []).join(', ');
}
