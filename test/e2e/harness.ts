// What the browser tests share: the built renderer (built here when missing or older than its
// sources), `seglens serve` started through the real binary, Debian's Chromium driven by
// playwright-core, and screenshots kept under test-output/e2e/.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { REPO } from '../helpers/paths.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const SHOTS = join(REPO, 'test-output', 'e2e');
const RENDERER = join(REPO, 'renderer');
const BUILT = join(REPO, 'dist', 'renderer', 'index.html');

/** For describe.skipIf: prints why the browser tests do not run. */
export function skipWithoutChromium(what: string): boolean {
  if (!HAVE_CHROMIUM) console.warn(`SKIP ${what}: ${CHROMIUM} is absent (apt-get install chromium; .ci/run installs it).`);
  return !HAVE_CHROMIUM;
}

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** dist/renderer as `npm run build:renderer` makes it; rebuilt when a renderer source is newer. */
export function ensureRendererBuilt(): void {
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= newestMtime(RENDERER)) return;
  console.warn('building the renderer (dist/renderer is missing or older than renderer/) ...');
  execFileSync(process.execPath, [join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(RENDERER, 'vite.config.ts'), '--logLevel', 'warn'], { cwd: REPO, stdio: 'inherit' });
}

export interface Served {
  child: ChildProcess;
  url: string;
  output: () => string;
  stop(): Promise<void>;
}

/** `seglens serve [args]` as a child; resolves once it printed the URL with the token. */
export function serve(args: string[], env: Record<string, string>): Promise<Served> {
  const child = spawn(process.execPath, [join(REPO, 'bin', 'seglens.js'), 'serve', '--port', '0', ...args], { cwd: REPO, env: { ...process.env, ...env, FORCE_COLOR: '0' } });
  let out = '';
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`seglens serve printed no URL in 60 s:\n${out}`)), 60_000);
    child.stderr!.on('data', (d) => (out += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\S*\?token=[A-Za-z0-9_-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], output: () => out, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`seglens serve exited with ${code}:\n${out}`));
    });
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

export async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

/**
 * Page errors and console errors, collected so a test can assert there were none. Chromium's own
 * "Failed to load resource" lines are left out: an HTTP error the engine answers on purpose (a
 * refused request) is shown by the UI and asserted there.
 */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/** A served app with one Chromium page on it, and the page's errors collected. */
export interface UiSession {
  server: Served;
  browser: Browser;
  page: Page;
  errors: string[];
}

/** `seglens serve ARGS` with ENV, Chromium, and one page of the given size (not opened yet). */
export async function openUi(args: string[], env: Record<string, string>, viewport = { width: 1400, height: 900 }): Promise<UiSession> {
  const server = await serve(args, env);
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport });
  return { server, browser, page, errors: collectErrors(page) };
}

/** Closes what openUi started (any part may be missing after a failed start) and removes `tmp`. */
export async function closeUi(ui: { browser?: Browser; server?: Served }, tmp?: string): Promise<void> {
  await ui.browser?.close();
  await ui.server?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
}
