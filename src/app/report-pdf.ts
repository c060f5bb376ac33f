// The report's HTML printed to PDF by headless Chromium (playwright-core drives it). Chromium is a
// system program seglens does not ship: where it is missing, the caller gets a clear reason and
// the HTML, which prints the same from any browser, is still there.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { WriteGate } from '../seg/write-gate.ts';
import { PRINT_SCALE } from '../seg/report/style.ts';

/** Where Chromium is looked for, after $SEGLENS_CHROMIUM. */
export const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** Flags for a headless run that reaches no network service (updates, sync, safe browsing). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function findChromium(): string | undefined {
  const env = process.env.SEGLENS_CHROMIUM;
  if (env) return existsSync(env) ? env : undefined;
  return CHROMIUM_PATHS.find((p) => existsSync(p));
}

export type PdfOutcome = { ok: true; file: string } | { ok: false; reason: string };

interface Browser {
  newPage(): Promise<{ goto(url: string, o?: object): Promise<unknown>; pdf(o: object): Promise<Buffer>; emulateMedia(o: object): Promise<void> }>;
  close(): Promise<void>;
}

async function launch(executablePath: string): Promise<Browser> {
  const pw = (await import('playwright-core')) as unknown as { chromium: { launch(o: object): Promise<Browser> } };
  return pw.chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

/** Prints `htmlFile` to `pdfFile` (A4, backgrounds kept). Never throws for a missing Chromium. */
export async function htmlToPdf(gate: WriteGate, htmlFile: string, pdfFile: string, opts: { executablePath?: string } = {}): Promise<PdfOutcome> {
  const exe = opts.executablePath ?? findChromium();
  if (!exe) {
    const where = process.env.SEGLENS_CHROMIUM ? `$SEGLENS_CHROMIUM (${process.env.SEGLENS_CHROMIUM}) does not exist` : `none of ${CHROMIUM_PATHS.join(', ')} exists`;
    return {
      ok: false,
      reason: `No PDF: Chromium was not found (${where}). Install Chromium or set SEGLENS_CHROMIUM to its path, or open the HTML report in any browser and print it to PDF.`,
    };
  }
  let browser: Browser;
  try {
    browser = await launch(exe);
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    const missing = /Cannot find (module|package) 'playwright-core'/.test(msg);
    return {
      ok: false,
      reason: missing
        ? 'No PDF: the package playwright-core, which drives Chromium, is not installed (it is a development dependency). Open the HTML report in a browser and print it to PDF.'
        : `No PDF: Chromium at ${exe} could not be started (${msg.split('\n')[0]}). Open the HTML report in a browser and print it to PDF.`,
    };
  }
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    await gate.writeFile(pdfFile, await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true, scale: PRINT_SCALE }));
    return { ok: true, file: pdfFile };
  } finally {
    await browser.close();
  }
}
