// A project made from the app (the contract's browseFolders, proposeProject, createProject): the
// folder browser of browser mode, confined to the user's home folder; init's proposal as data for
// the editable class table; seglens.json written by src/seg's createProject (which validates the
// table and refuses to replace an existing project file) through the project's write gate.
import { existsSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { BrowseFoldersResult, CreateProjectParams, ProposeProjectParams, ProposeProjectResult } from '../api/index.ts';
import { ContractError, ERROR_NAMES } from '../api/index.ts';
import { PROJECT_FILE, createProject, naturalCompare, projectGate, projectPath, proposeProject } from '../seg/project/index.ts';
import type { NewProject } from '../seg/project/index.ts';

/** Folder names init recognises (src/seg/project/init.ts), to mark folders that look like data. */
const IMAGE_NAMES = ['images', 'image', 'imgs', 'img', 'raw', 'input', 'inputs'];
const MASK_NAMES = ['masks', 'mask', 'labels', 'label', 'gt', 'groundtruth', 'ground_truth', 'ground-truth', 'annotations', 'segmentations'];

/** The top of the folder browser: the user's home (HOME), as a real path. */
export async function browseRoot(): Promise<string> {
  return realpath(homedir());
}

function inside(child: string, root: string): boolean {
  return child === root || child.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Visible sub-folders, links to folders included (opening one that leads out of home is refused). */
async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    if (e.isDirectory() || (e.isSymbolicLink() && (await stat(join(dir, e.name)).catch(() => null))?.isDirectory())) out.push(e.name);
  }
  return out;
}

async function looksLikeData(dir: string): Promise<boolean> {
  const subs = (await subfolders(dir)).map((s) => s.toLowerCase());
  return subs.some((s) => IMAGE_NAMES.includes(s)) && subs.some((s) => MASK_NAMES.includes(s));
}

export async function browseFolders(dirArg: string | undefined): Promise<BrowseFoldersResult> {
  const root = await browseRoot();
  const wanted = resolve(root, dirArg ?? root);
  let dir: string;
  try {
    dir = await realpath(wanted);
  } catch {
    throw new ContractError(ERROR_NAMES.notFound, `The folder ${wanted} does not exist (or cannot be read). Choose another one.`, { what: 'folder', value: wanted });
  }
  if (!inside(dir, root)) {
    throw new ContractError(ERROR_NAMES.accessDenied, `${wanted} is outside your home folder ${root}; the folder browser shows only folders inside it. Move the data into it, or type the project folder's path to open it.`, { dir: wanted, root });
  }
  const names = (await subfolders(dir)).sort(naturalCompare);
  const folders = await Promise.all(
    names.map(async (name) => {
      const path = join(dir, name);
      return { name, path, isProject: existsSync(join(path, PROJECT_FILE)), hasImagesAndMasks: await looksLikeData(path) };
    }),
  );
  return {
    dir,
    parent: dir === root ? null : dirname(dir),
    root,
    isProject: existsSync(join(dir, PROJECT_FILE)),
    hasImagesAndMasks: await looksLikeData(dir),
    folders,
  };
}

/** init's proposal; `onProgress` follows the mask scan (every mask is read, the slow part). */
export async function proposeNewProject(p: ProposeProjectParams, onProgress?: (done: number, total: number) => void): Promise<ProposeProjectResult> {
  const r = await proposeProject(p.dir, {
    ...(p.images ? { images: p.images } : {}),
    ...(p.masks ? { masks: p.masks } : {}),
    ...(p.pairing ? { pairing: p.pairing } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
  const project = r.project;
  const format = project.maskFormat;
  // init never proposes class-pages masks (overlapping projects are written by hand or by the demo).
  const kind = format && format.kind !== 'class-pages' ? format.kind : 'label';
  const objectClass = format?.kind === 'instance' || format?.kind === 'objects' ? format.className : null;
  const rgb = r.scan.kind === 'rgb';
  const classOf = new Map(r.proposal.assignments.map((a) => [a.value, a.className]));
  const rel = (f: string) => relative(r.dir, resolve(r.dir, f)) || f;
  return {
    dir: r.dir,
    images: rel(project.images ?? 'images'),
    masks: project.masks !== undefined ? rel(project.masks) : format?.kind === 'objects' || format?.kind === 'coco' ? null : 'masks',
    pairing: r.pairing,
    maskKind: kind,
    objectLayout: format?.kind === 'objects' ? (format.layout ?? 'mask-folders') : null,
    vector: format?.kind === 'geojson' ? { kind: 'geojson', ...(format.unclassified ? { unclassified: format.unclassified } : {}) } : format?.kind === 'coco' ? { kind: 'coco', file: format.file } : null,
    masksRead: r.scan.files,
    values: r.scan.values.map((v) => ({
      value: rgb ? v.color! : v.value,
      pixels: v.pixels,
      fraction: v.fraction,
      images: v.images,
      proposedClass: objectClass !== null ? (v.value === 0 ? 'background' : objectClass) : (classOf.get(v.value) ?? null),
    })),
    proposal: {
      classes: project.classes.classes.map((c) => ({ name: c.name, values: c.values, ...(c.color ? { color: c.color } : {}) })),
      background: project.classes.background,
      ignore: project.classes.ignore ?? [],
    },
    notes: r.notes,
    problems: r.problems,
  };
}

/**
 * Writes seglens.json for the folder (never over an existing one), through a write gate that
 * protects the image and mask folders and owns only the project file; returns its folder.
 */
export async function createNewProject(p: CreateProjectParams): Promise<string> {
  const colours = p.classes.classes.some((c) => c.values.some((v) => typeof v === 'string'));
  const boundary = (b: string | undefined) => (b ? { boundaryClass: b } : {});
  const maskFormat: NewProject['maskFormat'] = p.vector
    ? p.vector
    : p.objects
    ? { kind: 'objects', className: p.objects.className, ...boundary(p.objects.boundaryClass), layout: p.objects.layout }
    : p.instance
      ? { kind: 'instance', className: p.instance.className, ...boundary(p.instance.boundaryClass) }
      : colours
        ? { kind: 'palette' }
        : { kind: 'label' };
  const dir = resolve(p.dir);
  const gate = await projectGate(
    dir,
    { images: projectPath(dir, p.images), ...(p.masks ? { masks: projectPath(dir, p.masks) } : {}) },
    { who: 'seglens (new project)', owns: [join(dir, PROJECT_FILE)] },
  );
  const created = await createProject(gate, dir, { images: p.images, ...(p.masks ? { masks: p.masks } : {}), pairing: { rule: p.pairing }, maskFormat, classes: p.classes });
  return created.dir;
}
