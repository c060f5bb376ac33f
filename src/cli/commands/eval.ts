// `seglens eval --gt DIR --pred DIR --classes FILE`: the per-class table and the headline.
import type { Command } from 'commander';
import { Option } from 'commander';
import { readClassTable } from '../../seg/class-table-file.ts';
import { evaluateFolders } from '../../seg/dataset/index.ts';
import { formatFindings } from '../../seg/audit/index.ts';
import { formatEvalTable } from '../../seg/metrics/index.ts';
import { formatProblem, isBlocking } from '../../seg/problems.ts';
import { auditEvaluation } from '../../seg/report/eval-audit.ts';
import { printJson, progressBar } from '../output.ts';

interface EvalFlags {
  gt: string;
  pred: string;
  classes: string;
  pair: 'stem' | 'sorted';
  json?: boolean;
  audit?: boolean;
}

export function registerEval(program: Command, setExit: (code: number) => void): void {
  program
    .command('eval')
    .description('compare predicted masks with ground-truth masks: per-class Dice/IoU/precision/recall and the headline')
    .requiredOption('--gt <dir>', 'folder of ground-truth masks')
    .requiredOption('--pred <dir>', 'folder of predicted masks (same value encoding as the ground truth)')
    .requiredOption('--classes <file>', 'class table JSON (format in the README)')
    .addOption(new Option('--pair <rule>', 'pair masks by identical file stem or by sorted order').choices(['stem', 'sorted']).default('stem'))
    .option('--json', 'print the result as JSON (NaN as null)')
    .option('--audit', 'check the figures for the ways they can mislead and print the findings after the table (with --json: findings[])')
    .action(async (f: EvalFlags) => {
      const table = await readClassTable(f.classes);
      const bar = progressBar('eval', !f.json);
      const { result, pairs, problems } = await evaluateFolders({ gtDir: f.gt, predDir: f.pred, table, pair: f.pair, onProgress: (d, t) => bar.update(d, t) });
      bar.stop();
      const findings = f.audit ? await auditEvaluation(result, pairs, table) : undefined;
      if (f.json) printJson({ ...result, pairs, problems, ...(findings ? { findings } : {}) });
      else {
        console.log(formatEvalTable(result));
        if (problems.length) console.log('\nProblems\n' + problems.map((p) => '  ' + formatProblem(p)).join('\n'));
        if (findings) console.log('\n' + formatFindings(findings));
      }
      if (pairs.length === 0) console.error('seglens eval: no pair could be evaluated.');
      setExit(pairs.length === 0 || problems.some(isBlocking) ? 1 : 0);
    });
}
