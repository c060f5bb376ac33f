// `seglens eval --gt DIR --pred DIR --classes FILE`: the per-class table and the headline.
import type { Command } from 'commander';
import { Option } from 'commander';
import { readClassTable } from '../../seg/class-table-file.ts';
import { EVAL_MASK_FORMATS, evaluateFolders, maskReader } from '../../seg/dataset/index.ts';
import type { EvalMaskFormat } from '../../seg/dataset/index.ts';
import { formatFindings, problemFindings, sortFindings } from '../../seg/audit/index.ts';
import { formatEvalTable } from '../../seg/metrics/index.ts';
import { isBlocking } from '../../seg/problems.ts';
import { auditEvaluation } from '../../seg/report/eval-audit.ts';
import { printJson, progressBar } from '../output.ts';

interface EvalFlags {
  gt: string;
  pred: string;
  classes: string;
  pair: 'stem' | 'sorted';
  json?: boolean;
  audit?: boolean;
  maskFormat: EvalMaskFormat;
  predFormat?: EvalMaskFormat;
  objectClass?: string;
}

export function registerEval(program: Command, setExit: (code: number) => void): void {
  program
    .command('eval')
    .description('compare predicted masks with ground-truth masks: per-class Dice/IoU/precision/recall and the headline')
    .requiredOption('--gt <dir>', 'folder of ground-truth masks')
    .requiredOption('--pred <dir>', 'folder of predicted masks (in the class table encoding, or see --mask-format)')
    .requiredOption('--classes <file>', 'class table JSON (format in the README)')
    .addOption(new Option('--pair <rule>', 'pair masks by identical file stem or by sorted order').choices(['stem', 'sorted']).default('stem'))
    .addOption(
      new Option('--mask-format <format>', 'how the masks are stored: label images (class table values), instance label images (0 = background, one id per object), or objects (a folder per image, one binary mask per object); for ground truth and predictions')
        .choices([...EVAL_MASK_FORMATS])
        .default('label'),
    )
    .addOption(new Option('--pred-format <format>', 'format of the predictions when it differs from --mask-format').choices([...EVAL_MASK_FORMATS]))
    .option('--object-class <name>', 'class the objects of instance formats become (default: the only foreground class of the table)')
    .option('--json', 'print the result as JSON (NaN as null)')
    .option('--audit', 'check the figures for the ways they can mislead and print the findings after the table (with --json: findings[])')
    .action(async (f: EvalFlags) => {
      const table = await readClassTable(f.classes);
      const bar = progressBar('eval', !f.json);
      const formats = { gtFormat: f.maskFormat, predFormat: f.predFormat ?? f.maskFormat, ...(f.objectClass ? { objectClass: f.objectClass } : {}) };
      const { result, pairs, problems } = await evaluateFolders({ gtDir: f.gt, predDir: f.pred, table, pair: f.pair, ...formats, onProgress: (d, t) => bar.update(d, t) });
      bar.stop();
      const read = (format: EvalMaskFormat, role: 'gt' | 'pred') => {
        const r = maskReader(format, table, role, f.objectClass);
        return async (file: string) => (await r(file)).labels;
      };
      const audit = f.audit ? await auditEvaluation(result, pairs, table, { gt: read(formats.gtFormat, 'gt'), pred: read(formats.predFormat, 'pred') }) : [];
      // One list, as inspect's: the files' problems as findings about them, then the audit's.
      const fileFindings = problemFindings(problems, [], [], () => null);
      if (f.json) printJson({ ...result, pairs, findings: sortFindings([...fileFindings, ...audit]) });
      else {
        console.log(formatEvalTable(result));
        if (fileFindings.length) console.log('\n' + formatFindings(fileFindings, { heading: 'Problems with the files', legend: false }));
        if (f.audit) console.log('\n' + formatFindings(audit));
      }
      if (pairs.length === 0) console.error('seglens eval: no pair could be evaluated.');
      setExit(pairs.length === 0 || problems.some(isBlocking) ? 1 : 0);
    });
}
