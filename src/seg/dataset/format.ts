// Text form of an inspect report for the terminal.
import { describeIgnored, formatFindings } from '../audit/index.ts';
import { blockers, excludeHint } from './inspect.ts';
import type { InspectReport } from './inspect.ts';

const round = (v: number) => String(Math.round(v * 100) / 100);
const pct = (f: number) => (Number.isFinite(f) ? `${(100 * f).toFixed(2)} %` : 'n/a');

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => '  ' + r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n');
}

/** What "Ready for training" must not hide: warnings to read, and how much of the ground truth takes no part. */
function readyNotes(warnings: number, r: InspectReport): string {
  const notes: string[] = [];
  if (warnings) notes.push(`${warnings} warning${warnings === 1 ? '' : 's'} to read`);
  if (r.ignored.ignored > 0) notes.push(`${pct(r.ignored.share)} of the pixels are unlabelled and take no part`);
  return notes.length ? ` (${notes.join('; ')})` : '';
}

export function formatInspect(r: InspectReport): string {
  const out: string[] = [];
  out.push(`Dataset ${r.dir}`);
  out.push(`  ${r.projectFile ? `project file ${r.projectFile}` : 'no project file (options from the command line)'}; pairing: ${r.pairing}`);
  out.push(`  ${r.pairs.length} pairs read${r.unreadable.length ? `, ${r.unreadable.length} unreadable (${r.unreadable.join(', ')})` : ''}`);
  out.push('');
  if (r.pairs.length) {
    out.push('Pairs');
    out.push(
      table([
        ['name', 'image', 'mask', 'size', 'image', 'pages', 'normalised range', 'mask'],
        ...r.pairs.map((p) => [
          p.name,
          p.image,
          p.mask,
          `${p.width}x${p.height}`,
          `${p.bitDepth}-bit ${p.channels === 1 ? 'grey' : 'RGB'} ${p.format}`,
          String(p.pages),
          `${round(p.intensity.lo)}..${round(p.intensity.hi)}`,
          `${p.maskBitDepth}-bit`,
        ]),
      ]),
    );
    out.push('');
  }
  out.push(`Classes (share of labelled pixels; * = background${r.cooccurrence ? '; overlapping classes: a pixel of two classes counts here for the later one, the co-occurrence below counts it for both' : ''})`);
  out.push(
    table([
      ['class', 'pixels', 'share', 'images with it'],
      ...r.classes.map((c) => [c.name + (c.isBackground ? ' *' : ''), String(c.pixels), pct(c.fraction), `${c.images}/${r.pairs.length}`]),
    ]),
  );
  out.push('');
  if (r.cooccurrence) out.push(formatCooccurrence(r.cooccurrence, r.pairs.length), '');
  if (r.pairs.length) {
    out.push('Class presence per image (share of the image\'s labelled pixels; . = absent; unlabelled = share of all its pixels)');
    out.push(
      table([
        ['image', ...r.classes.map((c) => c.name), 'unlabelled'],
        ...r.pairs.map((p) => {
          const total = p.classPixels.reduce((a, b) => a + b, 0);
          const all = total + p.ignoredPixels;
          return [
            p.name + (p.ok ? '' : ' !'),
            ...p.classPixels.map((n) => (n === 0 ? '.' : `${((100 * n) / total).toFixed(1)}%`)),
            p.ignoredPixels === 0 ? '.' : `${((100 * p.ignoredPixels) / all).toFixed(1)}%`,
          ];
        }),
      ]),
    );
    out.push('');
  }
  out.push(describeIgnored(r.ignored));
  out.push('');
  const warnings = r.findings.filter((f) => f.severity === 'warning').length;
  if (r.findings.length) {
    out.push(formatFindings(r.findings, { heading: 'Findings (problems of single files, and checks across the pairs)', perFile: Infinity }));
    out.push('');
  }
  if (r.excluded.length) {
    out.push(`Excluded from training by the project file (${r.excluded.length}): ${r.excluded.map((e) => `${e.name}${e.reason ? ` (${e.reason})` : ''}`).join(', ')}`);
    out.push('');
  }
  if (r.blocking) {
    const blocking = blockers(r);
    out.push(`NOT READY FOR TRAINING: ${blocking.length} finding(s) must be fixed first: ${blocking.map((f) => `[${f.id}] ${f.files?.length ? f.files.join(', ') : f.images.length ? f.images.join(', ') : f.title}`).join('; ')}.`);
    const hint = excludeHint(r.dir, r);
    if (hint) out.push(hint);
  } else out.push(`Ready for training${readyNotes(warnings, r)}${r.excluded.length ? `, ${r.excluded.length} image(s) excluded` : ''}.`);
  return out.join('\n');
}

/** Overlapping classes: how often each pair of classes shares pixels, and in how many images. */
function formatCooccurrence(co: NonNullable<InspectReport['cooccurrence']>, images: number): string {
  const rows: string[][] = [['class', 'pixels', 'shares pixels with (pixels, share of the row class, images)']];
  co.classes.forEach((name, a) => {
    const own = co.pixels[a][a];
    const with_ = co.classes
      .map((other, b) => (b !== a && co.pixels[a][b] > 0 ? `${other}: ${co.pixels[a][b]} px, ${pct(own ? co.pixels[a][b] / own : NaN)}, ${co.images[a][b]}/${images} images` : ''))
      .filter(Boolean);
    rows.push([name, String(own), with_.length ? with_.join('; ') : 'none']);
  });
  return ['Overlapping classes: co-occurrence (each class is its own binary target; overlaps are expected, not errors)', table(rows)].join('\n');
}
