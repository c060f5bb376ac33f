// Masks edited in the app supersede the imported ones everywhere the dataset is used (inspect,
// split, training, reports): the human-in-the-loop correction is what the next model learns from.
// An image that had no mask and was annotated from scratch becomes a pair.
import { join } from 'node:path';
import { EditedMasks } from '../project/edits.ts';
import { listFolder, stemOf } from '../project/files.ts';
import { resolveProjectPaths } from '../project/index.ts';
import type { Pair, Project } from '../project/index.ts';
import type { Problem } from '../problems.ts';

export async function applyEdits(dir: string, project: Project, pairs: Pair[], problems: Problem[]): Promise<{ pairs: Pair[]; problems: Problem[] }> {
  const edits = await EditedMasks.open(dir);
  const byName = new Map(pairs.map((p) => [p.name, p]));
  const out = pairs.map((p) => {
    const file = edits.fileOf(p.name);
    return file ? { name: p.name, image: p.image, mask: file, edited: true } : p;
  });
  // Images annotated from scratch: in the image folder, not paired, with an edit.
  const imagesDir = resolveProjectPaths({ dir, project }).images;
  const listing = await listFolder(imagesDir, project.images, 'image folder');
  const added = new Set<string>();
  for (const f of listing.files) {
    const name = stemOf(f);
    const file = edits.fileOf(name);
    if (!file || byName.has(name) || added.has(name)) continue;
    out.push({ name, image: join(imagesDir, f), mask: file, edited: true });
    added.add(name);
  }
  // Their "image without mask" warnings no longer hold.
  const kept = problems.filter((p) => !(p.code === 'missing-partner' && p.severity === 'warning' && [...added].some((n) => stemOf(p.file.split('/').pop() ?? '') === n)));
  return { pairs: out, problems: kept };
}
