// `seglens init` on masks stored as one binary file per object, a folder per image (the Kaggle Data
// Science Bowl 2018 layout and many annotation exports): recognised by folder structure, read as
// instance masks (every object becomes class "object"), overlaps and damaged object files reported.
import { relative } from 'node:path';
import { problemFromError } from '../image-errors.ts';
import { readObjectMasks } from '../object-masks.ts';
import type { Problem } from '../problems.ts';
import type { InitOptions, InitProposal } from './init.ts';
import { listImageFolderPairs, listMaskFolderPairs } from './object-folders.ts';
import type { ObjectLayout } from './object-folders.ts';
import { BACKGROUND_COLOR, classColor } from '../class-colors.ts';
import type { Proposal } from './propose.ts';
import { ValueCounter } from './scan.ts';

export interface ObjectFolders {
  layout: ObjectLayout;
  /** Relative to the project folder (or absolute), as written into seglens.json. */
  images: string;
  masks?: string;
  imagesAbs: string;
  masksAbs?: string;
}

/** init's proposal for object folders (written by initProject like any other). */
export async function proposeObjectsProject(root: string, f: ObjectFolders, opts: InitOptions, notes: string[]): Promise<InitProposal> {
  const listed = f.layout === 'image-folders' ? await listImageFolderPairs(f.imagesAbs, f.images) : await listMaskFolderPairs(f.imagesAbs, f.images, f.masksAbs!, f.masks!);
  const show = (p: string) => relative(root, p) || p;
  const counter = new ValueCounter();
  const problems: Problem[] = [...listed.problems];
  let objects = 0;
  let overlapping = 0;
  for (let i = 0; i < listed.pairs.length; i++) {
    const pair = listed.pairs[i];
    opts.onProgress?.(i, listed.pairs.length);
    try {
      const m = await readObjectMasks(show(pair.mask), pair.objectMasks ?? [], { ...(opts.maxPixels ? { maxPixels: opts.maxPixels } : {}) });
      objects += m.objects;
      if (m.overlapPixels > 0) overlapping++;
      problems.push(...m.problems.map((p) => ({ ...p, file: show(p.file), message: p.message.split(p.file).join(show(p.file)) })));
      // What a class table sees: background 0, object 1.
      counter.add({ ...m.instances, bitDepth: 8, data: Uint8Array.from(m.instances.data, (v) => (v ? 1 : 0)) });
    } catch (e) {
      const p = problemFromError(e, pair.mask);
      problems.push({ ...p, file: show(p.file) });
    }
  }
  opts.onProgress?.(listed.pairs.length, listed.pairs.length);
  const where =
    f.layout === 'image-folders'
      ? `${f.images}/<name>/images/<image> with ${f.images}/<name>/masks/<one binary mask per object> (the Data Science Bowl 2018 layout)`
      : `${f.images}/<name>.<ext> with ${f.masks}/<name>/<one binary mask per object>`;
  notes.push(
    `Masks are stored as one binary file per object, a folder per image: ${where}. ${listed.pairs.length} images with ${objects} objects. ` +
      'They are read as instance masks (maskFormat "objects"): every object becomes the class "object"; rename it, and add "boundaryClass" to "maskFormat" to learn the borders between touching objects.',
  );
  if (overlapping > 0) notes.push(`Objects overlap in ${overlapping} image(s): those pixels are left unlabelled (each is listed under Problems).`);
  const proposal: Proposal = {
    table: {
      classes: [
        { name: 'background', values: [0], color: BACKGROUND_COLOR },
        { name: 'object', values: [1], color: classColor(0) },
      ],
      background: 'background',
      ignore: [],
    },
    maskFormat: { kind: 'objects', className: 'object', layout: f.layout },
    assignments: [
      { value: 0, className: 'background' },
      { value: 1, className: 'object' },
    ],
    notes: [],
  };
  const scan = counter.result();
  return {
    dir: root,
    folders: { images: f.imagesAbs, ...(f.masksAbs ? { masks: f.masksAbs } : {}) },
    pairs: listed.pairs.map((p) => ({ name: p.name, image: p.image, mask: p.mask })),
    project: {
      images: f.images,
      ...(f.masks ? { masks: f.masks } : {}),
      pairing: { rule: 'stem' },
      maskFormat: proposal.maskFormat,
      imagePage: opts.imagePage ?? 0,
      ...(opts.maxPixels !== undefined ? { maxPixels: opts.maxPixels } : {}),
      classes: proposal.table,
    },
    pairing: { rule: 'stem', chosen: opts.pairing && opts.pairing !== 'auto' ? 'given' : 'auto', pairs: listed.pairs.length },
    scan,
    proposal,
    problems,
    notes: [...notes, ...proposal.notes],
  };
}
