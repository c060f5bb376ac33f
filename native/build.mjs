// Builds the native addon at install time (`npm ci` / `npm install` run it as the project's
// postinstall): node-gyp against the Node headers already on this machine, oneDNN and OpenMP from
// the system. Nothing is downloaded: without local headers, a compiler or oneDNN it stops and
// says why. It never fails the install: training then runs on the wasm path, and
// src/train/backend/native.ts reports the reason written to native/build/status.json.
// SEGLENS_NATIVE=0 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const statusFile = join(here, 'build', 'status.json');

function finish(ok, reason, extra = {}) {
  mkdirSync(join(here, 'build'), { recursive: true });
  writeFileSync(statusFile, JSON.stringify({ ok, reason, node: process.version, date: new Date().toISOString(), ...extra }, null, 2) + '\n');
  console.log(ok ? `seglens-native: built (${reason})` : `seglens-native: not built: ${reason}. Training will use the slower wasm path.`);
  process.exit(0);
}

if (process.env.SEGLENS_NATIVE === '0') finish(false, 'skipped because SEGLENS_NATIVE=0');

/** node-gyp: npm passes its own copy's path to lifecycle scripts; otherwise look beside npm. */
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  try {
    const npmRoot = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['root', '-g'], { encoding: 'utf8', shell: process.platform === 'win32' }).stdout?.trim();
    if (npmRoot) candidates.push(join(npmRoot, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  } catch {
    // no npm on PATH
  }
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed as a package
  }
  return candidates.find((p) => p && existsSync(p));
}

/** A Node install prefix holding this Node's headers, so node-gyp needs no download. */
function findNodeDir() {
  const configured = process.env.npm_config_nodedir;
  const prefixes = [configured, resolve(dirname(process.execPath), '..'), dirname(process.execPath)].filter(Boolean);
  return prefixes.find((p) => existsSync(join(p, 'include', 'node', 'node_api.h')));
}

const gyp = findNodeGyp();
if (!gyp) finish(false, 'node-gyp was not found (it ships inside npm; run the install through npm)');
const nodedir = findNodeDir();
if (!nodedir) finish(false, `the headers of Node ${process.version} are not installed beside ${process.execPath} (include/node/node_api.h), and the build downloads nothing`);

const started = Date.now();
const run = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, `--jobs=${Math.max(1, Math.min(4, (await import('node:os')).availableParallelism()))}`], {
  cwd: here,
  encoding: 'utf8',
});
const log = `${run.stdout ?? ''}${run.stderr ?? ''}`;
mkdirSync(join(here, 'build'), { recursive: true });
writeFileSync(join(here, 'build', 'build.log'), log);
if (run.status !== 0) {
  const missingDnnl = /dnnl\.hpp|cannot find -ldnnl|dnnl\.h: No such file/.test(log);
  const noCompiler = /not found: (make|g\+\+|c\+\+)|gyp ERR! stack Error: not found/.test(log) || run.error;
  const why = missingDnnl
    ? 'oneDNN is not installed (Debian/Ubuntu: apt-get install libdnnl-dev; elsewhere set DNNL_ROOT to its install prefix)'
    : noCompiler
      ? 'no C++ toolchain (Debian/Ubuntu: apt-get install build-essential)'
      : `node-gyp failed (exit ${run.status}); see native/build/build.log`;
  finish(false, why);
}
finish(true, `node-gyp with headers from ${nodedir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
