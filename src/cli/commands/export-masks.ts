// `seglens export-masks PROJECT --format tiff|geojson|coco --out DIR [--pred DIR]`: the project's
// ground truth (or predicted masks) for Fiji/napari (16-bit label TIFF), QuPath (GeoJSON) or CVAT
// (COCO). Exit 0 when every image was written, 1 when some could not be read (each is named).
import type { Command } from 'commander';
import { Option } from 'commander';
import { exportMasks, MASK_EXPORT_FORMATS } from '../../app/mask-export.ts';
import type { MaskExportFormat } from '../../app/mask-export.ts';
import { formatProblem } from '../../seg/problems.ts';
import { printJson, progressBar } from '../output.ts';

interface Flags {
  format: MaskExportFormat;
  out: string;
  pred?: string;
  json?: boolean;
}

export function registerExportMasks(program: Command, setExit: (code: number) => void): void {
  program
    .command('export-masks')
    .description('write the ground truth (or predicted masks) as 16-bit label TIFF (Fiji, napari), GeoJSON (QuPath) or COCO (CVAT)')
    .argument('<project>', 'project folder (its current masks: edited ones where saved, else imported)')
    .addOption(new Option('--format <format>', 'tiff: <image>.tif class ids + classes.json; geojson: <image>.geojson; coco: annotations.json').choices([...MASK_EXPORT_FORMATS]).makeOptionMandatory())
    .requiredOption('--out <dir>', 'a new or empty folder')
    .option('--pred <dir>', 'export these predicted label masks (<image>.png, e.g. from seglens predict) instead of the ground truth')
    .option('--json', 'print what was written as JSON')
    .action(async (project: string, f: Flags) => {
      const bar = progressBar('export', !f.json);
      const r = await exportMasks({ project, format: f.format, out: f.out, ...(f.pred ? { pred: f.pred } : {}), onProgress: (d, t, n) => bar.update(d, t, n) });
      bar.stop();
      if (f.json) printJson(r);
      else {
        console.log(`${r.source} of ${r.images} image(s) written as ${r.format} to ${r.out}${r.format === 'tiff' ? '' : ` (${r.objects} objects)`}`);
        if (r.format === 'tiff') console.log(`  pixel = class id, 65535 = unlabelled; ${r.out}/classes.json is their class table (--classes for seglens inspect).`);
        for (const p of r.problems) console.log('  ' + formatProblem(p));
      }
      setExit(r.problems.some((p) => p.severity === 'error') ? 1 : 0);
    });
}
