// Builds the desktop app's packages: the bundles, the renderer and the compute worker, then
// electron-builder with electron-builder.yml.
//
//   npm run package -- [--linux | --mac | --win] [electron-builder targets, e.g. --linux dir]
//                      [--gpu]            ship @tensorflow/tfjs-node-gpu (left out by default: CUDA's
//                                         TensorFlow is about 1 GB and needs an NVIDIA driver)
//                      [--electron-dist DIR]  an unpacked Electron to use instead of downloading one
//                      [--output DIR]     where the packages go (default release/)
//
// test/package/package.test.ts runs packageApp() for the unpacked Linux target with a stand-in
// Electron and checks what the package holds.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The line of electron-builder.yml that leaves tfjs-node-gpu out; --gpu drops it. */
export const GPU_EXCLUSION = '  - "!node_modules/@tensorflow/tfjs-node-gpu{,/**/*}"';

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: opts.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', env: { ...process.env, ...opts.env } });
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}\n${output.slice(-4000)}`))));
  });
}

/** The bundles (out/node, out/electron), the compute worker (dist/compute) and the renderer (dist/renderer). */
export async function buildForPackage({ renderer = true } = {}) {
  const { buildBundles } = await import('./bundle.mjs');
  await buildBundles();
  const { buildComputeWorker } = await import('../src/train/compute/bundle.mjs');
  await buildComputeWorker();
  if (renderer) await run(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], { quiet: true });
}

/**
 * Runs electron-builder. `targets`: its platform arguments (e.g. ['--linux', 'dir']); `config`:
 * overrides as `-c.key=value` pairs. Resolves with electron-builder's output.
 */
export async function packageApp({ targets = [], electronDist, output, gpu = false, quiet = false, config = {} } = {}) {
  const cli = join(ROOT, 'node_modules', 'electron-builder', 'cli.js');
  if (!existsSync(cli)) throw new Error('electron-builder is not installed (a dev dependency: npm ci)');
  let configFile = join(ROOT, 'electron-builder.yml');
  if (gpu) {
    const yml = await readFile(configFile, 'utf8');
    if (!yml.includes(GPU_EXCLUSION)) throw new Error(`electron-builder.yml no longer has the line ${GPU_EXCLUSION.trim()}`);
    configFile = join(ROOT, 'out', 'electron-builder.gpu.yml');
    await writeFile(configFile, yml.replace(GPU_EXCLUSION + '\n', ''));
  }
  const overrides = { ...config, ...(electronDist ? { electronDist } : {}), ...(output ? { 'directories.output': output } : {}) };
  const args = [cli, '--config', configFile, ...targets, ...Object.entries(overrides).map(([k, v]) => `-c.${k}=${v}`)];
  try {
    // No publishing, whatever CI variables say.
    return await run(process.execPath, [...args, '--publish', 'never'], { quiet });
  } finally {
    if (gpu) await rm(configFile, { force: true });
  }
}

/** Whether electron-builder can be loaded here (it is a dev dependency). */
export function electronBuilderInstalled() {
  try {
    createRequire(import.meta.url).resolve('electron-builder/package.json');
    return true;
  } catch {
    return false;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const opts = { targets: [], gpu: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--gpu') opts.gpu = true;
    else if (argv[i] === '--electron-dist') opts.electronDist = argv[++i];
    else if (argv[i] === '--output') opts.output = argv[++i];
    else opts.targets.push(argv[i]);
  }
  await run(process.execPath, [join(ROOT, 'native', 'bundle-libs.mjs')]);
  await buildForPackage();
  await packageApp(opts);
}
