// The project file `seglens.json`: what a project folder holds and how to read it. Every version
// the code has ever written has a schema here; migrate.ts turns an old one into the current one.
//
// Paths inside the file are relative to the project folder (absolute paths are accepted too), so a
// project folder can be moved or shared as a whole.
import { z } from 'zod';
import { ClassTableSchema, isColorTable } from '../classes.ts';
import { DEFAULT_NORMALIZATION } from '../types.ts';
import { MAX_OVERLAPPING_CLASSES } from '../overlap-bits.ts';

export const PROJECT_FILE = 'seglens.json';
export const CURRENT_VERSION = 2;

const pathField = z.string().min(1, 'a path cannot be empty');

// ---------------------------------------------------------------- version 1 (historical)
/** Version 1: two folders, a pairing word and the class table. Kept to read old projects. */
export const ProjectV1Schema = z.object({
  version: z.literal(1),
  images: pathField,
  masks: pathField,
  pairing: z.enum(['stem', 'sorted']).default('stem'),
  classes: ClassTableSchema,
});
export type ProjectV1 = z.infer<typeof ProjectV1Schema>;

// ---------------------------------------------------------------- version 2 (current)
/**
 * How an image finds its mask. `stem`: identical file name without extension (case-sensitive).
 * `sorted`: the i-th image in natural sort order with the i-th mask (needs equal counts).
 * `list`: explicit pairs; `image` is relative to the images folder and `mask` to the masks folder
 * (absolute paths accepted).
 */
export const PairingSchema = z.discriminatedUnion('rule', [
  z.strictObject({ rule: z.literal('stem') }),
  z.strictObject({ rule: z.literal('sorted') }),
  z.strictObject({
    rule: z.literal('list'),
    pairs: z.array(z.strictObject({ image: pathField, mask: pathField })).min(1, 'a list pairing needs at least one pair'),
  }),
]);
export type Pairing = z.infer<typeof PairingSchema>;
export type PairingRule = Pairing['rule'];

/**
 * How mask files encode classes.
 * - `label`: one grey value per pixel, mapped through the class table's `values`.
 * - `palette`: RGB masks; the class table's values are "#rrggbb" colours.
 * - `per-class`: one folder of binary masks per class (non-zero = the class), merged on read;
 *   optionally `unlabelled`: a folder of binary masks whose non-zero pixels are left out of every
 *   class (IGNORE), e.g. regions nobody annotated.
 *   Folders are paths like any other (relative to the project folder). The class table's `values`
 *   are then the merged ids: the background's value is what no folder claims.
 * - `instance`: instance label images (0 = background, each other value one object). Every object
 *   becomes class `className`; with `boundaryClass`, the pixels where touching objects meet become
 *   that class. The class table's `values` are then the converted ids: background 0, className 1,
 *   boundaryClass 2.
 * - `objects`: one binary mask per object, a folder per image, read as instance masks (as
 *   `instance`; pixels where objects overlap are reported and left unlabelled). `layout`
 *   `mask-folders` (default): `masks` holds one sub-folder per image, named by the image's stem.
 *   `image-folders` (the Kaggle Data Science Bowl 2018 layout): `images` holds one folder per image
 *   with `images/<one image>` and `masks/<one file per object>`; `masks` is not used.
 * - `geojson`: one GeoJSON file per image in `masks` (`<image name>.geojson`, as QuPath exports
 *   them): polygon features whose classification name is a class name; "Ignore*" regions are
 *   unlabelled; features without a classification are the class `unclassified` when given.
 * - `coco`: one COCO file (`file`, e.g. CVAT's annotations/instances_default.json) for all images,
 *   matched by file name; category names are class names. `masks` is not used.
 *   For both, class names decide, and the class table's `values` are the class ids (0, 1, ...).
 * - `class-pages` (overlapping classes only): one file per image in `masks` holding one binary mask
 *   per foreground class, as the pages of a multi-page TIFF (`layout` "pages", page k = `classes[k]`)
 *   or the channels of an RGB file (`layout` "channels", at most 3 classes: red, green, blue).
 */
/** The key under which the `unlabelled` folder of per-class masks travels with the class folders. */
export const UNLABELLED_KEY = '(unlabelled)';

export const MaskFormatSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('label') }),
  z.strictObject({ kind: z.literal('palette') }),
  z.strictObject({
    kind: z.literal('per-class'),
    folders: z.record(z.string().min(1), pathField).refine((f) => Object.keys(f).length > 0, 'list at least one class folder'),
    /** Folder of binary masks (one per image) whose non-zero pixels are unlabelled: in no class, no loss, no metric. */
    unlabelled: pathField.optional(),
  }),
  z.strictObject({ kind: z.literal('instance'), className: z.string().min(1), boundaryClass: z.string().min(1).optional() }),
  z.strictObject({
    kind: z.literal('objects'),
    className: z.string().min(1),
    boundaryClass: z.string().min(1).optional(),
    layout: z.enum(['mask-folders', 'image-folders']).default('mask-folders'),
  }),
  z.strictObject({ kind: z.literal('geojson'), unclassified: z.string().min(1).optional() }),
  z.strictObject({ kind: z.literal('coco'), file: pathField }),
  z.strictObject({
    kind: z.literal('class-pages'),
    /** Foreground class names in page (or channel) order. */
    classes: z.array(z.string().min(1)).min(1, 'name the class of each page'),
    layout: z.enum(['pages', 'channels']).default('pages'),
  }),
]);
export type MaskFormat = z.infer<typeof MaskFormatSchema>;

const percent = z.number().min(0).max(100);
export const NormalizationSchema = z
  .strictObject({
    kind: z.enum(['percentile', 'minmax', 'fixed']),
    low: percent.default(DEFAULT_NORMALIZATION.low),
    high: percent.default(DEFAULT_NORMALIZATION.high),
    scope: z.enum(['image', 'dataset']).default(DEFAULT_NORMALIZATION.scope),
    range: z.tuple([z.number(), z.number()]).optional(),
  })
  .superRefine((n, ctx) => {
    if (n.kind === 'percentile' && n.low >= n.high) ctx.addIssue({ code: 'custom', path: ['high'], message: `high (${n.high}) must be above low (${n.low})` });
    if (n.kind === 'fixed' && !n.range) ctx.addIssue({ code: 'custom', path: ['range'], message: 'a fixed normalisation needs "range": [min, max]' });
    if (n.range && n.range[0] >= n.range[1]) ctx.addIssue({ code: 'custom', path: ['range'], message: 'range must be [min, max] with min < max' });
  });

export const ExclusionSchema = z.strictObject({
  image: z.string().min(1).max(1024),
  reason: z.string().max(1000).optional(),
});
export type Exclusion = z.infer<typeof ExclusionSchema>;

export const ProjectSchema = z
  .strictObject({
    version: z.literal(CURRENT_VERSION),
    images: pathField,
    /** Folder of mask files. Not used (and may be left out) with per-class masks. */
    masks: pathField.optional(),
    pairing: PairingSchema.default({ rule: 'stem' }),
    maskFormat: MaskFormatSchema.default({ kind: 'label' }),
    /** Page of multi-page TIFF images to read (0-based). */
    imagePage: z.number().int().min(0).default(0),
    normalization: NormalizationSchema.default({ ...DEFAULT_NORMALIZATION }),
    /** Largest accepted width x height; absent = the reader's default. */
    maxPixels: z.number().int().positive().optional(),
    /** Path of the split manifest written by `seglens split`. */
    split: pathField.optional(),
    /**
     * Images left out of training, splits and scores (`seglens exclude`, the app's "Exclude"), each
     * with why. `image` is the image's name in the project (its file name without extension).
     * Their files stay where they are; inspect still reads and reports them.
     */
    exclude: z.array(ExclusionSchema).optional(),
    /**
     * Classes may overlap (a nucleolus inside its nucleus): each foreground class is its own binary
     * target (sigmoid per class), read from per-class masks without resolving overlaps. Needs
     * `maskFormat` per-class, no folder for the background (it is "no foreground class") and at
     * most MAX_OVERLAPPING_CLASSES classes (one bit each, see src/seg/overlap.ts).
     */
    overlapping: z.boolean().optional(),
    classes: ClassTableSchema,
  })
  .superRefine((p, ctx) => {
    const names = new Set(p.classes.classes.map((c) => c.name));
    const excluded = new Set<string>();
    p.exclude?.forEach((e, i) => {
      if (excluded.has(e.image)) ctx.addIssue({ code: 'custom', path: ['exclude', i, 'image'], message: `"${e.image}" is listed twice` });
      excluded.add(e.image);
    });
    const f = p.maskFormat;
    const imageFolders = f.kind === 'objects' && f.layout === 'image-folders';
    if (f.kind !== 'per-class' && f.kind !== 'coco' && !imageFolders && !p.masks) {
      ctx.addIssue({ code: 'custom', path: ['masks'], message: 'give the folder of mask files (only per-class masks, COCO files and objects in image folders do without it)' });
    }
    if ((f.kind === 'geojson' || f.kind === 'coco') && p.pairing.rule !== 'stem') {
      ctx.addIssue({ code: 'custom', path: ['pairing', 'rule'], message: `${f.kind === 'coco' ? 'COCO images are matched' : 'GeoJSON files are matched'} by image name: use stem pairing` });
    }
    if (f.kind === 'geojson' && f.unclassified !== undefined && !names.has(f.unclassified)) {
      ctx.addIssue({ code: 'custom', path: ['maskFormat', 'unclassified'], message: `"${f.unclassified}" is not the name of a class in "classes"` });
    }
    if (f.kind === 'objects' && p.pairing.rule !== 'stem') {
      ctx.addIssue({ code: 'custom', path: ['pairing', 'rule'], message: 'object masks are found by the image name (a folder per image): use stem pairing' });
    }
    if (f.kind === 'per-class') {
      for (const name of Object.keys(f.folders)) {
        if (!names.has(name)) ctx.addIssue({ code: 'custom', path: ['maskFormat', 'folders', name], message: `"${name}" is not the name of a class in "classes"` });
      }
      if (f.unlabelled !== undefined && names.has(UNLABELLED_KEY)) {
        ctx.addIssue({ code: 'custom', path: ['maskFormat', 'unlabelled'], message: `a class named "${UNLABELLED_KEY}" clashes with the unlabelled folder: rename the class` });
      }
      if (p.pairing.rule === 'list') ctx.addIssue({ code: 'custom', path: ['pairing', 'rule'], message: 'list pairing names one mask per image: use stem or sorted with per-class masks' });
    }
    if (f.kind === 'instance' || f.kind === 'objects') {
      if (!names.has(f.className)) ctx.addIssue({ code: 'custom', path: ['maskFormat', 'className'], message: `"${f.className}" is not the name of a class in "classes"` });
      if (f.boundaryClass !== undefined) {
        if (!names.has(f.boundaryClass)) ctx.addIssue({ code: 'custom', path: ['maskFormat', 'boundaryClass'], message: `"${f.boundaryClass}" is not the name of a class in "classes"` });
        if (f.boundaryClass === f.className) ctx.addIssue({ code: 'custom', path: ['maskFormat', 'boundaryClass'], message: 'the boundary class must differ from the object class' });
      }
    }
    if (f.kind === 'class-pages') {
      if (!p.overlapping) ctx.addIssue({ code: 'custom', path: ['maskFormat', 'kind'], message: 'class-pages masks hold overlapping classes: set "overlapping": true' });
      f.classes.forEach((name, i) => {
        if (!names.has(name)) ctx.addIssue({ code: 'custom', path: ['maskFormat', 'classes', i], message: `"${name}" is not the name of a class in "classes"` });
        else if (name === p.classes.background) ctx.addIssue({ code: 'custom', path: ['maskFormat', 'classes', i], message: 'the background is "no foreground class": it has no page' });
        if (f.classes.indexOf(name) !== i) ctx.addIssue({ code: 'custom', path: ['maskFormat', 'classes', i], message: `"${name}" is listed twice` });
      });
      if (f.layout === 'channels' && f.classes.length > 3) ctx.addIssue({ code: 'custom', path: ['maskFormat', 'classes'], message: 'an RGB file has 3 channels: at most 3 classes with layout "channels" (use a multi-page TIFF)' });
    }
    if (p.overlapping) {
      if (f.kind !== 'per-class' && f.kind !== 'class-pages') {
        ctx.addIssue({ code: 'custom', path: ['overlapping'], message: 'overlapping classes are read from per-class masks: set maskFormat to {"kind": "per-class", "folders": {...}} or {"kind": "class-pages", "classes": [...]}' });
      } else if (f.kind === 'per-class' && f.folders[p.classes.background] !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['maskFormat', 'folders', p.classes.background], message: 'with overlapping classes the background is "no foreground class": remove its folder' });
      }
      if (p.classes.classes.length > MAX_OVERLAPPING_CLASSES) {
        ctx.addIssue({ code: 'custom', path: ['overlapping'], message: `overlapping projects hold at most ${MAX_OVERLAPPING_CLASSES} classes, background included (got ${p.classes.classes.length})` });
      }
    }
    const colours = isColorTable(p.classes);
    if (colours && f.kind !== 'palette') ctx.addIssue({ code: 'custom', path: ['maskFormat', 'kind'], message: 'the class table lists "#rrggbb" colours: set maskFormat to {"kind": "palette"}' });
    if (!colours && f.kind === 'palette') ctx.addIssue({ code: 'custom', path: ['maskFormat', 'kind'], message: 'palette masks need a class table whose values are "#rrggbb" colours' });
  });

/** A project as the code uses it: current version, defaults filled in. */
export type Project = z.infer<typeof ProjectSchema>;
/** What a caller may give: defaults may be left out. */
export type ProjectInput = z.input<typeof ProjectSchema>;
