// `seglens export RUN --bioimageio OUT`: a bioimage.io model package (src/app/bioimageio) that
// deepImageJ, ilastik and bioimageio.core open. Exit 0 when written (the fields left to fill are
// listed), 2 on a usage, model or output error (nothing is written then).
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { Author } from '../../app/bioimageio/rdf.ts';
import { ConfigError } from '../../seg/errors.ts';
import { BACKEND_CANDIDATES } from '../../train/backend/candidates.ts';
import type { BackendCandidate } from '../../train/backend/candidates.ts';
import { printJson } from '../output.ts';

interface ExportFlags {
  bioimageio?: string;
  sample?: string;
  name?: string;
  description?: string;
  author?: Author[];
  license?: string;
  dataCite?: string;
  dataUrl?: string;
  dataDoi?: string;
  backend?: BackendCandidate;
  json?: boolean;
}

const ORCID = /^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/;

/** "Name", "Name; Affiliation" or "Name; Affiliation; 0000-0002-1825-0097". */
function author(v: string, prev: Author[]): Author[] {
  const [name, affiliation, orcid] = v.split(';').map((s) => s.trim());
  if (!name) throw new InvalidArgumentError(`--author takes "Name" or "Name; Affiliation; ORCID", not "${v}".`);
  if (orcid && !ORCID.test(orcid)) throw new InvalidArgumentError(`--author "${v}": "${orcid}" is not an ORCID iD (0000-0000-0000-0000).`);
  return [...prev, { name, ...(affiliation ? { affiliation } : {}), ...(orcid ? { orcid } : {}) }];
}

export function registerExport(program: Command, setExit: (code: number) => void): void {
  program
    .command('export')
    .description('export a trained model as a bioimage.io package (rdf.yaml 0.5, ONNX and TensorFlow.js weights, test tensors) for deepImageJ, ilastik, bioimageio.core')
    .argument('<run>', 'a training run folder runs/<id>/ (its best checkpoint) or a model folder')
    .option('--bioimageio <out>', 'write the bioimage.io package here: OUT.zip for a zip archive, any other name for a folder (must not exist)')
    .option('--sample <image>', "image to make the test tensor from (default: the run's first validation image)")
    .option('--name <text>', 'model name (letters, digits, spaces, _ - ( ); default from the project and classes)')
    .option('--description <text>', 'one-sentence description (default: what it segments and its validation Dice)')
    .option('--author <who>', 'an author, "Name; Affiliation; ORCID" (repeat for several); required by bioimage.io', (v: string, prev: Author[] | undefined) => author(v, prev ?? []))
    .option('--license <spdx>', 'SPDX licence identifier of the weights (default CC-BY-4.0)')
    .option('--data-cite <text>', 'citation of the training data')
    .option('--data-url <url>', 'where the training data is published')
    .option('--data-doi <doi>', 'DOI of the training data')
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend for the expected test output').choices([...BACKEND_CANDIDATES]))
    .option('--json', 'print what was written as JSON')
    .action(async (run: string, f: ExportFlags) => {
      // Loaded on use: TensorFlow.js takes a second to load, which `seglens --help` should not pay.
      const { exportBioimageio } = await import('../../app/bioimageio/package.ts');
      if (!f.bioimageio) throw new ConfigError('Say what to export: --bioimageio OUT (OUT.zip for an archive, another name for a folder).');
      if (f.license !== undefined && !/^[A-Za-z0-9.+-]+$/.test(f.license)) throw new ConfigError(`--license takes an SPDX identifier such as CC-BY-4.0 or MIT, not "${f.license}".`);
      if (f.dataUrl !== undefined && !/^https?:\/\//.test(f.dataUrl)) throw new ConfigError(`--data-url takes an http(s) address, not "${f.dataUrl}".`);
      const say = (line: string) => (f.json ? console.error(line) : console.log(line));
      const r = await exportBioimageio({
        run,
        out: f.bioimageio,
        ...(f.sample ? { sample: f.sample } : {}),
        ...(f.name ? { name: f.name } : {}),
        ...(f.description ? { description: f.description } : {}),
        authors: f.author ?? [],
        ...(f.license ? { license: f.license } : {}),
        dataCite: { ...(f.dataCite ? { text: f.dataCite } : {}), ...(f.dataUrl ? { url: f.dataUrl } : {}), ...(f.dataDoi ? { doi: f.dataDoi } : {}) },
        ...(f.backend ? { backend: f.backend } : {}),
        onInfo: say,
      });
      if (f.json) printJson(r);
      else {
        say(`bioimage.io package written: ${r.out} (${r.kind})`);
        for (const [name, file] of Object.entries(r.files)) say(`  ${name.padEnd(18)} ${String(file.bytes).padStart(9)} bytes  sha256 ${file.sha256.slice(0, 16)}...`);
        if (r.toFill.length) say(`Fill in before sharing it (rdf.yaml marks them "FILL IN"): ${r.toFill.join('; ')}.`);
      }
      setExit(0);
    });
}
