// The layer rule of eslint.config.js: imports point down the list of ../shared/GUIDE.md only.
// Each case lints a one-line file placed (virtually) in a layer and checks the verdict.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/paths.ts';

const eslint = new ESLint({ cwd: REPO });

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code + '\nexport {};\n', { filePath });
  return r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rule', () => {
  it.each([
    ['src/seg/x.ts', "import '../train/tf.ts';", true],
    ['src/seg/x.ts', "import '../api/contract.ts';", true],
    ['src/seg/x.ts', "import '@tensorflow/tfjs-core';", true],
    ['src/seg/metrics/x.ts', "import '../../app/workspace.ts';", true],
    ['src/seg/x.ts', "import './types.ts';", false],
    ['src/train/x.ts', "import '../seg/types.ts';", false],
    ['src/train/x.ts', "import '../app/workspace.ts';", true],
    ['src/train/x.ts', "import 'electron';", true],
    ['src/train/x.ts', "import 'node:fs';", false],
    ['src/train/model/x.ts', "import 'node:fs';", true],
    ['src/train/compute/x.ts', "import { spawn } from 'node:child_process';", true],
    ['src/train/trainer/step.ts', "import 'sharp';", true],
    ['src/train/compute/node-ports.ts', "import 'ws';", false],
    ['src/train/model/x.ts', "import '../../seg/types.ts';", false],
    ['src/app/x.ts', "import '../train/tf.ts';", false],
    ['src/app/x.ts', "import '../cli/main.ts';", true],
    ['src/api/x.ts', "import '../seg/types.ts';", true],
    ['src/cli/x.ts', "import '../app/workspace.ts';", false],
    ['src/cli/x.ts', "import '../web/server.ts';", true],
    ['src/web/x.ts', "import '../app/workspace.ts';", false],
    ['src/web/x.ts', "import '../train/tf.ts';", true],
    ['renderer/src/x.ts', "import '../../src/api/contract.ts';", false],
    ['renderer/src/x.ts', "import '../../src/seg/types.ts';", true],
    ['renderer/src/x.ts', "import 'node:fs';", true],
    ['electron/main.ts', "import '../src/app/workspace.ts';", false],
    ['electron/main.ts', "import '../src/train/tf.ts';", true],
    // The write gate: node:fs's writing functions only in src/seg/write-gate.ts and atomic.ts.
    ['src/app/x.ts', "import { writeFile } from 'node:fs/promises';", true],
    ['src/train/x.ts', "import { mkdir, readFile } from 'node:fs/promises';", true],
    ['src/seg/x.ts', "import { renameSync } from 'node:fs';", true],
    ['src/seg/x.ts', "import { readFile, stat } from 'node:fs/promises';", false],
    ['src/seg/write-gate.ts', "import { mkdir, rename, rm } from 'node:fs/promises';", false],
    ['src/seg/atomic.ts', "import { open, rename, unlink } from 'node:fs/promises';", false],
  ])('%s: %s -> refused %s', async (file, code, refused) => {
    const errors = await layerErrors(file, code);
    expect(errors.length > 0, errors.join('; ')).toBe(refused);
  });
});
