// Making a project from the app: choose a folder (Electron's dialog, or in browser mode a folder
// browser limited to the user's home), see what `seglens init` proposes (every stored mask value
// with its pixel and image counts, a class table), edit it, and write seglens.json.
import { z } from 'zod';
import { ProblemSchema, count, finite } from './common.ts';

const dirPath = z.string().min(1).max(4096);

/** Where one-file-per-object masks lie: a sub-folder of the mask folder per image, or in each image's own folder. */
export const OBJECT_LAYOUTS = ['mask-folders', 'image-folders'] as const;

export const BrowseFoldersParams = z.strictObject({
  /** Folder to list; default the user's home. Must lie inside the home folder. */
  dir: dirPath.optional(),
});

export const FolderEntrySchema = z.object({
  name: z.string(),
  /** Absolute path. */
  path: z.string(),
  /** Holds seglens.json: open it instead. */
  isProject: z.boolean(),
  /** Holds an image folder and a mask folder by name (images/ and masks/, labels/...). */
  hasImagesAndMasks: z.boolean(),
});

export const BrowseFoldersResultSchema = z.object({
  /** The folder listed (absolute, real path). */
  dir: z.string(),
  /** Its parent, or null at the top (the home folder). */
  parent: z.string().nullable(),
  /** The top the browser may reach: the user's home. */
  root: z.string(),
  isProject: z.boolean(),
  hasImagesAndMasks: z.boolean(),
  /** Sub-folders, hidden ones left out, in natural order. */
  folders: z.array(FolderEntrySchema),
});
export type BrowseFoldersResult = z.infer<typeof BrowseFoldersResultSchema>;

/** Where the host can show a native folder dialog (Electron), its answer; elsewhere `supported: false`. */
export const PickFolderResultSchema = z.object({
  supported: z.boolean(),
  /** The folder chosen; null when cancelled or unsupported. */
  dir: z.string().nullable(),
});
export type PickFolderResult = z.infer<typeof PickFolderResultSchema>;

export const ProposeProjectParams = z.strictObject({
  dir: dirPath,
  /** Image and mask folders, relative to `dir` (default: found by name, as init does). */
  images: z.string().min(1).max(4096).optional(),
  masks: z.string().min(1).max(4096).optional(),
  pairing: z.enum(['stem', 'sorted', 'auto']).optional(),
});
export type ProposeProjectParams = z.infer<typeof ProposeProjectParams>;

/** A stored mask value: a grey level (number) or a colour "#rrggbb". */
export const storedValue = z.union([z.number().int().min(0).max(65535), z.string().regex(/^#[0-9a-fA-F]{6}$/)]);

export const ClassTableInputSchema = z.object({
  classes: z
    .array(
      z.object({
        name: z.string().min(1).max(64),
        values: z.array(storedValue).min(1),
        /** Left out: the background black, the others the default palette. */
        color: z.string().regex(/^#[0-9a-fA-F]{6}$/).optional(),
      }),
    )
    .min(2)
    .max(254),
  background: z.string().min(1),
  ignore: z.array(storedValue),
});
export type ClassTableInput = z.infer<typeof ClassTableInputSchema>;

/** Vector annotations: QuPath's GeoJSON (one file per image) or a COCO file (CVAT), path relative to the project. */
const VectorFormatSchema = z.union([
  z.strictObject({ kind: z.literal('geojson'), unclassified: z.string().min(1).max(256).optional() }),
  z.strictObject({ kind: z.literal('coco'), file: z.string().min(1).max(4096) }),
]);

export const ProposeProjectResultSchema = z.object({
  dir: z.string(),
  /** Folders as init chose them, relative to dir. */
  images: z.string(),
  /** Null when each image has its own folder holding its masks (objects, layout image-folders). */
  masks: z.string().nullable(),
  pairing: z.object({ rule: z.enum(['stem', 'sorted', 'list']), chosen: z.enum(['given', 'auto']), pairs: count }),
  /**
   * How the masks store classes: grey label values, RGB palette colours, instance labels, or one
   * binary file per object in a folder per image (`objects`, read as instance masks).
   */
  maskKind: z.enum(['label', 'palette', 'instance', 'per-class', 'objects', 'geojson', 'coco']),
  /** For `geojson` / `coco` (vector annotations, classes matched by name): the format to write back in createProject. */
  vector: VectorFormatSchema.nullable(),
  /** For `objects`: where the object files are (see the README's mask formats); null otherwise. */
  objectLayout: z.enum(OBJECT_LAYOUTS).nullable(),
  /** Masks read, and every distinct stored value with its pixels and the masks it occurs in. */
  masksRead: count,
  values: z.array(
    z.object({
      value: storedValue,
      pixels: count,
      fraction: finite.min(0).max(1),
      images: count,
      /** The class init proposes for it; null = proposed for `ignore`. */
      proposedClass: z.string().nullable(),
    }),
  ),
  proposal: ClassTableInputSchema,
  /** Every decision init made on the user's behalf, in sentences. */
  notes: z.array(z.string()),
  problems: z.array(ProblemSchema),
});
export type ProposeProjectResult = z.infer<typeof ProposeProjectResultSchema>;

export const CreateProjectParams = z.strictObject({
  /** Vector annotations (maskKind `geojson` or `coco` in the proposal), as the proposal gave them; the class table as proposed. */
  vector: VectorFormatSchema.optional(),
  dir: dirPath,
  images: z.string().min(1).max(4096),
  /** Left out only for object folders inside each image's folder (objects, layout image-folders). */
  masks: z.string().min(1).max(4096).optional(),
  pairing: z.enum(['stem', 'sorted']),
  classes: ClassTableInputSchema,
  /** Instance label masks (maskKind `instance` in the proposal): the class every object becomes. */
  instance: z.strictObject({ className: z.string().min(1), boundaryClass: z.string().min(1).optional() }).optional(),
  /** One binary mask per object (maskKind `objects` in the proposal): the class every object becomes, and the layout. */
  objects: z.strictObject({ className: z.string().min(1), boundaryClass: z.string().min(1).optional(), layout: z.enum(OBJECT_LAYOUTS) }).optional(),
});
export type CreateProjectParams = z.infer<typeof CreateProjectParams>;
