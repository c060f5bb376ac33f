// `seglens init DIR`: find the image and mask folders, choose the pairing, scan the mask values,
// propose a class table and write seglens.json for the user to edit. Everything decided on the
// user's behalf is said in `notes`.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { Problem } from '../problems.ts';
import { listFolder } from './files.ts';
import { projectGate } from './gate.ts';
import type { ProjectFolders } from './gate.ts';
import { createProject, projectPath, toProjectPath } from './load.ts';
import type { NewProject } from './load.ts';
import { proposeObjectsProject } from './init-objects.ts';
import { detectVectorMasks, findCocoFile, proposeVectorProject } from './init-vector.ts';
import { detectImageFolders, detectMaskFolders } from './object-folders.ts';
import { listPairs } from './pairing.ts';
import type { Pair, PairingResult } from './pairing.ts';
import { proposeClassTable } from './propose.ts';
import type { Proposal } from './propose.ts';
import { scanMaskValues } from './scan.ts';
import type { ScanResult } from './scan.ts';
import { PROJECT_FILE } from './schema.ts';
import type { PairingRule, Project } from './schema.ts';

export interface InitOptions {
  /** Image folder, relative to the project folder (or absolute). Default: found by name. */
  images?: string;
  /** Mask folder, relative to the project folder (or absolute). Default: found by name. */
  masks?: string;
  /** Default `auto`: stem when names match, sorted when no name matches and counts are equal. */
  pairing?: 'stem' | 'sorted' | 'auto';
  /** Replace an existing seglens.json. */
  force?: boolean;
  /** Page of multi-page TIFF images, recorded in the project. */
  imagePage?: number;
  maxPixels?: number;
  /** Distinct grey values above which masks are read as instance labels (default 64). */
  maxClasses?: number;
  /**
   * Put stored values judged to be damage (interpolation residue, JPEG noise) in `ignore`. Without
   * it they stay in no class, the damage is a problem here and inspect blocks training on it.
   */
  acceptDamaged?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface InitResult {
  projectFile: string;
  project: Project;
  pairing: { rule: PairingRule; chosen: 'given' | 'auto'; pairs: number };
  scan: ScanResult;
  proposal: Proposal;
  /** Pairing and scan problems, and the masks' damage when it was not accepted. */
  problems: Problem[];
  /** Folder and pairing decisions, then the proposal's notes. */
  notes: string[];
}

const IMAGE_FOLDERS = ['images', 'image', 'imgs', 'img', 'raw', 'input', 'inputs'];
const MASK_FOLDERS = ['masks', 'mask', 'labels', 'label', 'gt', 'groundtruth', 'ground_truth', 'ground-truth', 'annotations', 'segmentations'];

async function findFolder(dir: string, names: string[], what: string, option: string): Promise<string> {
  const subs = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  for (const n of names) {
    const hit = subs.find((s) => s.toLowerCase() === n);
    if (hit) return hit;
  }
  throw new ConfigError(
    `Cannot find the ${what} in ${dir}: no sub-folder is named ${names.slice(0, 4).join(', ')}... ` +
      `(it has ${subs.length ? subs.join(', ') : 'no sub-folders'}). Give it with ${option} FOLDER.`,
    { dir, subfolders: subs },
  );
}

/** What init would write, before it writes anything: the app shows it as an editable table. */
export interface InitProposal extends Omit<InitResult, 'projectFile' | 'project'> {
  dir: string;
  /** The project as init would write it (seglens.json's content). */
  project: NewProject;
  /** The folders the project reads (absolute) and its pairs: the write gate's inputs. */
  folders: ProjectFolders;
  pairs: readonly Pair[];
}

export async function initProject(dir: string, opts: InitOptions = {}): Promise<InitResult> {
  const p = await proposeProject(dir, opts);
  const gate = await projectGate(p.dir, p.folders, { who: 'seglens init', owns: [join(p.dir, PROJECT_FILE)], pairs: p.pairs });
  const created = await createProject(gate, p.dir, p.project, { force: opts.force });
  const { dir: _dir, project: _project, folders: _folders, pairs: _pairs, ...rest } = p;
  void [_dir, _project, _folders, _pairs];
  return { projectFile: created.file, project: created.project, ...rest };
}

/** Everything `initProject` decides (folders, pairing, mask scan, class table), writing nothing. */
export async function proposeProject(dir: string, opts: InitOptions = {}): Promise<InitProposal> {
  const root = resolve(dir);
  if (!existsSync(root)) throw new ConfigError(`The folder ${root} does not exist. Create it, or give the folder that holds the images and masks.`, { dir: root });
  const file = join(root, PROJECT_FILE);
  if (existsSync(file) && !opts.force) {
    throw new ConfigError(`${file} already exists; init would replace your edits. Edit it instead (or open it as a project), or pass --force to start over.`, { file });
  }
  const notes: string[] = [];
  // A folder of image folders, each with images/ and masks/ (one file per object): Data Science Bowl 2018.
  if (opts.images === undefined && opts.masks === undefined && (await detectImageFolders(root))) {
    return proposeObjectsProject(root, { layout: 'image-folders', images: '.', imagesAbs: root }, opts, notes);
  }
  const images = opts.images !== undefined ? toProjectPath(root, opts.images) : await findFolder(root, IMAGE_FOLDERS, 'image folder', '--images');
  let masks: string;
  try {
    masks = opts.masks !== undefined ? toProjectPath(root, opts.masks) : await findFolder(root, MASK_FOLDERS, 'mask folder', '--masks');
  } catch (e) {
    // No mask folder, but a COCO file beside the images (a CVAT export unpacked): that is the masks.
    const coco = await findCocoFile(root);
    if (!coco) throw e;
    notes.push(`Images from ${images}/ (found by folder name).`);
    return proposeVectorProject(root, { images, imagesAbs: projectPath(root, images), source: { kind: 'coco', file: coco } }, opts, notes);
  }
  if (opts.images === undefined || opts.masks === undefined) notes.push(`Images from ${images}/, masks from ${masks}/ (found by folder name).`);

  const spec = { base: root, imagesDir: images, masksDir: masks };
  const imagesAbs = projectPath(root, images);
  const masksAbs = projectPath(root, masks);
  // One sub-folder of object masks per image, named like the images.
  // GeoJSON files (QuPath) or a COCO file (CVAT) instead of mask images.
  const vector = await detectVectorMasks(masksAbs);
  if (vector) return proposeVectorProject(root, { images, imagesAbs, masks, source: vector }, opts, notes);
  if (await detectMaskFolders(imagesAbs, masksAbs)) return proposeObjectsProject(root, { layout: 'mask-folders', images, masks, imagesAbs, masksAbs }, opts, notes);
  let result: PairingResult;
  let chosen: 'given' | 'auto' = 'given';
  if (opts.pairing && opts.pairing !== 'auto') {
    result = await listPairs({ ...spec, rule: opts.pairing });
  } else {
    chosen = 'auto';
    result = await listPairs({ ...spec, rule: 'stem' });
    const imgs = await listFolder(imagesAbs, images, 'image folder');
    const msks = await listFolder(masksAbs, masks, 'mask folder');
    if (result.pairs.length === 0 && imgs.files.length === msks.files.length) {
      result = await listPairs({ ...spec, rule: 'sorted' });
      const first = `${imgs.files[0]} with ${msks.files[0]}`;
      const last = imgs.files.length > 1 ? `, ..., ${imgs.files.at(-1)} with ${msks.files.at(-1)}` : '';
      notes.push(`No image and mask names match, and both folders hold ${imgs.files.length} files: paired by sorted order (${first}${last}). Check that this is right.`);
    } else {
      notes.push(`Images and masks paired by identical name without extension (${result.pairs.length} of ${imgs.files.length} images).`);
    }
  }

  const maskFolder = await listFolder(masksAbs, masks, 'mask folder');
  const show = (f: string) => relative(root, f) || f;
  const scan = await scanMaskValues(
    maskFolder.files.map((f) => join(masksAbs, f)),
    { maxPixels: opts.maxPixels, show, onProgress: opts.onProgress },
  );
  const proposal = proposeClassTable(scan, { maxClasses: opts.maxClasses, acceptDamaged: opts.acceptDamaged });
  return {
    dir: root,
    folders: { images: imagesAbs, masks: masksAbs },
    pairs: result.pairs,
    project: {
      images,
      masks,
      pairing: { rule: result.rule === 'sorted' ? 'sorted' : 'stem' },
      maskFormat: proposal.maskFormat,
      imagePage: opts.imagePage ?? 0,
      ...(opts.maxPixels !== undefined ? { maxPixels: opts.maxPixels } : {}),
      classes: proposal.table,
    },
    pairing: { rule: result.rule, chosen, pairs: result.pairs.length },
    scan,
    proposal,
    problems: [...result.problems, ...scan.problems, ...damageProblems(proposal, scan, masks)],
    notes: [...notes, ...proposal.notes],
  };
}

/** The damage init found, as one problem: an error until accepted (then a warning that says what it costs). */
function damageProblems(proposal: Proposal, scan: ScanResult, masks: string): Problem[] {
  const d = proposal.damage;
  if (!d) return [];
  const lossy = d.lossyFiles > 0;
  const share = `${(100 * d.fraction).toFixed(2)} % of all pixels`;
  const values = d.values.length ? `${d.values.length} stored values (${share})` : 'values near every edge';
  return [
    {
      code: lossy ? 'lossy-mask' : 'mask-interpolated',
      severity: d.accepted ? 'warning' : 'error',
      file: lossy ? `${scan.lossyFiles.slice(0, 3).join(', ')}${scan.lossyFiles.length > 3 ? ` and ${scan.lossyFiles.length - 3} more` : ''}` : masks,
      message: d.accepted
        ? `The masks are damaged (${d.reason}); as asked, ${values} were put in "ignore" and take no part in training or metrics.`
        : `The masks are damaged (${d.reason}): ${values} are no label. They were left out of the class table, so \`seglens inspect\` blocks training until this is resolved.`,
      hint: d.accepted
        ? 'Re-exporting the masks losslessly with nearest-neighbour resizing recovers those pixels; `seglens inspect` shows the ignored share per image and class.'
        : 'Re-export the masks as PNG or TIFF with nearest-neighbour resizing (then run init again with --force), or accept the damage with --force --accept-damaged: the damaged values then go to "ignore".',
      details: { values: d.values.length, pixels: d.pixels, fraction: d.fraction, lossyFiles: d.lossyFiles, accepted: d.accepted },
    },
  ];
}
