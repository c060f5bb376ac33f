// `seglens inspect --json` gives one list of findings; a data problem is a finding about its file,
// and mask damage of several files is one finding per kind with each file's own sentence in
// perImage. Tests that ask "which files have which problem" read them back through this.
export interface InspectFindingJson {
  id: string;
  severity: 'critical' | 'warning' | 'info';
  title: string;
  message: string;
  action: string;
  images: string[];
  files?: string[];
  evidence: Record<string, unknown>;
  perImage?: { image: string; evidence: Record<string, unknown> }[];
  blocking: boolean;
}

export interface FileProblem {
  id: string;
  severity: 'critical' | 'warning' | 'info';
  file: string;
  message: string;
  action: string;
  blocking: boolean;
}

/** One entry per file a finding names, with that file's own sentence. */
export function fileProblems(findings: readonly InspectFindingJson[]): FileProblem[] {
  return findings.flatMap((f) => {
    if (!f.files?.length) return [];
    const base = { id: f.id, severity: f.severity, action: f.action, blocking: f.blocking };
    if (f.perImage?.length && f.perImage.every((p) => typeof p.evidence.message === 'string')) {
      return f.perImage.map((p) => ({ ...base, file: String(p.evidence.mask ?? p.image), message: String(p.evidence.message) }));
    }
    return f.files.map((file) => ({ ...base, file, message: f.message }));
  });
}
