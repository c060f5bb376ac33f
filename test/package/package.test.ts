// Packaging (issue 14): electron-builder runs electron-builder.yml for the unpacked Linux target
// (`--linux dir`) against a stand-in Electron distribution (electronDist: a folder with a fake
// `electron` executable that carries Electron's fuse wire, so that the fuse step runs too), with
// no download. Then what the package holds is checked: the bundles, the renderer, the compute
// worker, the tfjs .wasm files unpacked from the asar, the native addon where one was built, the
// RunAsNode fuse off, no TypeScript sources, no dev dependency, no tfjs-node-gpu unless asked.
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GPU_EXCLUSION, buildForPackage, electronBuilderInstalled, packageApp } from '../../tools/package.mjs';
import { REPO } from '../helpers/paths.ts';

// @electron/fuses: the sentinel, then the wire's version (1) and length, one byte per fuse
// ('0' off, '1' on). Order: RunAsNode, EnableCookieEncryption, EnableNodeOptionsEnvironmentVariable,
// EnableNodeCliInspectArguments, EnableEmbeddedAsarIntegrityValidation, OnlyLoadAppFromAsar,
// LoadBrowserProcessSpecificV8Snapshot, GrantFileProtocolExtraPrivileges; Electron's defaults.
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const DEFAULT_WIRE = '10110001';

const why = electronBuilderInstalled() ? null : 'electron-builder is not installed (a dev dependency: run npm ci)';
if (why) console.log(`package test skipped: ${why}`);

let tmp: string;
let app: string;
let files: string[];
let unpacked: string;

/** Every path in an asar archive, '/'-separated and relative to it. */
async function asarFiles(archive: string): Promise<string[]> {
  const asar = (await import('@electron/asar')) as { listPackage(p: string, o: { isPack: boolean }): string[] };
  return asar.listPackage(archive, { isPack: false }).map((p) => p.replace(/\\/g, '/').replace(/^\//, ''));
}

/** What package-lock.json says each installed package path is (dev-only or not). */
async function lockPackages(): Promise<Record<string, { dev?: boolean; optional?: boolean; devOptional?: boolean }>> {
  return (JSON.parse(await readFile(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> }).packages;
}

describe.skipIf(why)('electron-builder package (linux, unpacked, stand-in Electron)', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'seglens-package-'));
    const dist = join(tmp, 'electron-dist');
    await mkdir(dist);
    const fake = Buffer.concat([Buffer.from(`#!/bin/sh\necho "stand-in Electron"\nexit 0\n# `), Buffer.from(SENTINEL), Buffer.from([1, DEFAULT_WIRE.length]), Buffer.from(DEFAULT_WIRE), Buffer.from('\n')]);
    await writeFile(join(dist, 'electron'), fake);
    await chmod(join(dist, 'electron'), 0o755);
    // What the package is made of; the renderer only when npm test has not just built it.
    await buildForPackage({ renderer: !existsSync(join(REPO, 'dist', 'renderer', 'index.html')) });
    await packageApp({ targets: ['--linux', 'dir'], electronDist: dist, output: join(tmp, 'release'), quiet: true });
    app = join(tmp, 'release', 'linux-unpacked');
    files = await asarFiles(join(app, 'resources', 'app.asar'));
    unpacked = join(app, 'resources', 'app.asar.unpacked');
  }, 600_000);

  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('holds the bundles, the renderer and the compute worker, and starts the shell bundle', async () => {
    for (const f of ['cli', 'web', 'engine', 'worker', 'train-job', 'report-runner', 'predict-job']) expect(files).toContain(`out/node/${f}.js`);
    expect(files.some((f) => /^out\/node\/chunk-[^/]+\.js$/.test(f))).toBe(true);
    for (const f of ['main.js', 'preload.cjs', 'compute-preload.cjs']) expect(files).toContain(`out/electron/${f}`);
    expect(files).toContain('dist/renderer/index.html');
    for (const f of ['worker.js', 'page.html', 'page.js']) expect(files).toContain(`dist/compute/${f}`);
    expect(files.filter((f) => !f.startsWith('node_modules/') && f.endsWith('.map'))).toEqual([]);
    const asar = (await import('@electron/asar')) as { extractFile(a: string, f: string): Buffer };
    const pkg = JSON.parse(asar.extractFile(join(app, 'resources', 'app.asar'), 'package.json').toString('utf8')) as { main?: string };
    expect(pkg.main).toBe('out/electron/main.js');
  });

  it('holds no TypeScript sources and nothing that compiles them', () => {
    expect(files.filter((f) => !f.startsWith('node_modules/') && /\.(ts|mts|svelte)$/.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('electron/'))).toEqual([]);
    for (const p of ['tsx', 'esbuild', 'typescript', 'vite', 'electron', 'electron-builder', 'playwright-core', 'onnxruntime-node']) {
      expect(files.some((f) => f.startsWith(`node_modules/${p}/`)), p).toBe(false);
    }
  });

  it('holds no package that only the development needs (package-lock.json "dev")', async () => {
    // electron-builder lays the production tree out anew (a nested copy may move up), so each
    // packaged package is matched by name and version, not by path.
    const lock = await lockPackages();
    const asar = (await import('@electron/asar')) as { extractFile(a: string, f: string): Buffer };
    const roots = files.filter((f) => /(^|\/)node_modules\/(@[^/]+\/)?[^/@]+\/package\.json$/.test(f));
    expect(roots.length).toBeGreaterThan(10);
    const dev: string[] = [];
    for (const r of roots) {
      const { name, version } = JSON.parse(asar.extractFile(join(app, 'resources', 'app.asar'), r).toString('utf8')) as { name: string; version: string };
      const entries = Object.entries(lock).filter(([k, v]) => k.endsWith(`node_modules/${name}`) && (v as { version?: string }).version === version);
      if (entries.length && entries.every(([, v]) => v.dev === true)) dev.push(`${name}@${version}`);
    }
    expect(dev).toEqual([]);
    const installed = new Set(roots.map((r) => r.replace(/\/package\.json$/, '')));
    // The production dependencies are there.
    for (const p of ['sharp', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-wasm']) expect(installed.has(`node_modules/${p}`), p).toBe(true);
  });

  it('leaves tfjs-node-gpu out (it is shipped only with --gpu, which drops the exclusion line)', async () => {
    expect((await readFile(join(REPO, 'electron-builder.yml'), 'utf8')).split('\n')).toContain(GPU_EXCLUSION);
    expect(files.some((f) => f.startsWith('node_modules/@tensorflow/tfjs-node-gpu/'))).toBe(false);
    expect(existsSync(join(unpacked, 'node_modules', '@tensorflow', 'tfjs-node-gpu'))).toBe(false);
  });

  it('unpacks the tfjs wasm binaries, sharp and the native addon where one was built', () => {
    const wasmDir = join(unpacked, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
    const wasm = readdirSync(wasmDir).filter((f) => f.endsWith('.wasm')).sort();
    expect(wasm).toEqual(['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm', 'tfjs-backend-wasm.wasm']);
    expect(existsSync(join(unpacked, 'node_modules', 'sharp', 'package.json'))).toBe(true);
    const addon = join(REPO, 'native', 'build', 'Release', 'seglens_native.node');
    if (existsSync(addon)) expect(existsSync(join(unpacked, 'native', 'build', 'Release', 'seglens_native.node'))).toBe(true);
    else console.log('native addon not built here: its place in the package is not checked');
  });

  it('turns the RunAsNode fuse off in the packaged binary', async () => {
    const bin = await readFile(join(app, 'seglens'));
    const at = bin.indexOf(SENTINEL) + SENTINEL.length;
    const wire = bin.subarray(at + 2, at + 2 + bin[at + 1]).toString('latin1');
    // RunAsNode, cookie encryption, NODE_OPTIONS, inspect flags, asar integrity, only-asar, -, file privileges
    expect(wire[0]).toBe('0');
    expect(wire[2]).toBe('0');
    expect(wire[3]).toBe('0');
    expect(wire[5]).toBe('1');
  });
});
