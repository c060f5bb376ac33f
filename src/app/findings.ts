// Audit findings as the contract carries them (src/api FindingSchema): the same fields, with every
// evidence number finite or null, so that a finding never fails validation on its way to the UI.
import type { Finding as WireFinding } from '../api/index.ts';
import type { Evidence, Finding } from '../seg/audit/index.ts';

function wireEvidence(e: Evidence): Record<string, number | string | boolean | null> {
  const out: Record<string, number | string | boolean | null> = {};
  for (const [k, v] of Object.entries(e)) out[k] = typeof v === 'number' && !Number.isFinite(v) ? null : v;
  return out;
}

export function toWireFinding(f: Finding): WireFinding {
  return {
    id: f.id,
    severity: f.severity,
    title: f.title,
    message: f.message,
    action: f.action,
    images: [...f.images],
    evidence: wireEvidence(f.evidence),
    ...(f.perImage ? { perImage: f.perImage.map((p) => ({ image: p.image, evidence: wireEvidence(p.evidence) })) } : {}),
    ...(f.files ? { files: [...f.files] } : {}),
  };
}
