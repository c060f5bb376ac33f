// Hand-written inline SVG plots for the report: learning curves (loss; per-class validation Dice
// with the best epoch marked), the row-normalised confusion matrix as a heat map, and per-class
// bars with the headline and the background-inclusive and all-background figures beside it. Pure
// string building from report.json's data: no DOM, no fonts to load, no script.
import type { EpochRecord } from '../history.ts';
import { BACKGROUND_SERIES, heatColor, heatTextColor, seriesColor, seriesDash } from './palette.ts';

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Width of `text` at `size` px in a sans-serif font, estimated (no layout engine here). */
export function textWidth(text: string, size = 12): number {
  return text.length * size * 0.56;
}

const r1 = (v: number) => Math.round(v * 10) / 10;

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.01) return v.toExponential(0);
  return String(Number(v.toPrecision(3)));
}

export interface Series {
  name: string;
  color: string;
  dash?: string;
  /** Stroke width; the headline is drawn thicker. */
  width?: number;
  /** [x, y] with y null where undefined (the line is broken there). */
  points: [number, number | null][];
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Fixed y range; default [0, max of the data]. */
  yDomain?: [number, number];
  /** A vertical marker, e.g. the best epoch. */
  marker?: { x: number; label: string };
  width?: number;
  height?: number;
  /** Text under the plot (e.g. what is missing and why). */
  note?: string;
}

interface LegendItem {
  name: string;
  color: string;
  dash?: string;
  width?: number;
  kind: 'line' | 'box' | 'outline';
}

/** Legend items laid out in rows that fit `width`; returns the SVG and its height. */
function legend(items: LegendItem[], x0: number, y0: number, width: number): { svg: string; height: number } {
  const rowH = 18;
  let x = x0;
  let y = y0;
  const parts: string[] = [];
  for (const it of items) {
    const w = 28 + textWidth(it.name, 11) + 14;
    if (x > x0 && x + w > x0 + width) {
      x = x0;
      y += rowH;
    }
    const mid = y + rowH / 2;
    if (it.kind === 'line') {
      parts.push(
        `<line x1="${x}" y1="${mid}" x2="${x + 22}" y2="${mid}" stroke="${it.color}" stroke-width="${it.width ?? 2}"${it.dash ? ` stroke-dasharray="${it.dash}"` : ''}/>`,
      );
    } else if (it.kind === 'box') {
      parts.push(`<rect x="${x + 4}" y="${mid - 5}" width="14" height="10" fill="${it.color}"/>`);
    } else {
      parts.push(`<rect x="${x + 4}" y="${mid - 5}" width="14" height="10" fill="#ffffff" stroke="${it.color}" stroke-width="1.5" stroke-dasharray="3 2"/>`);
    }
    parts.push(`<text x="${x + 28}" y="${mid + 4}" font-size="11" fill="#222">${esc(it.name)}</text>`);
    x += w;
  }
  return { svg: parts.join(''), height: y - y0 + rowH };
}

/** A line chart with integer x (epochs). */
export function lineChart(o: LineChartOptions): string {
  const W = o.width ?? 560;
  const plotH = (o.height ?? 300) - 90;
  const left = 56;
  const right = 16;
  const top = 44;
  const pw = W - left - right;
  const xs = o.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = o.series.flatMap((s) => s.points.map((p) => p[1]).filter((v): v is number => v !== null && Number.isFinite(v)));
  const x0 = xs.length ? Math.min(...xs) : 0;
  const x1 = xs.length ? Math.max(...xs) : 1;
  const [ylo, yhiRaw] = o.yDomain ?? [0, ys.length ? Math.max(...ys) : 1];
  const yhi = yhiRaw > ylo ? yhiRaw : ylo + 1;
  const X = (x: number) => left + (x1 === x0 ? pw / 2 : ((x - x0) / (x1 - x0)) * pw);
  const Y = (y: number) => top + plotH - ((y - ylo) / (yhi - ylo)) * plotH;
  const parts: string[] = [];
  parts.push(`<text x="${left}" y="18" font-size="13" font-weight="600" fill="#111">${esc(o.title)}</text>`);
  // Grid and axes.
  for (const t of niceTicks(ylo, yhi, 5)) {
    const y = r1(Y(t));
    parts.push(`<line x1="${left}" y1="${y}" x2="${left + pw}" y2="${y}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${left - 6}" y="${y + 4}" font-size="10" text-anchor="end" fill="#555">${tickLabel(t)}</text>`);
  }
  const xticks = niceTicks(x0, x1, Math.min(8, Math.max(1, x1 - x0))).filter((t) => Number.isInteger(t));
  for (const t of xticks) {
    const x = r1(X(t));
    parts.push(`<line x1="${x}" y1="${top + plotH}" x2="${x}" y2="${top + plotH + 4}" stroke="#555"/>`);
    parts.push(`<text x="${x}" y="${top + plotH + 16}" font-size="10" text-anchor="middle" fill="#555">${t}</text>`);
  }
  parts.push(`<rect x="${left}" y="${top}" width="${pw}" height="${plotH}" fill="none" stroke="#999"/>`);
  parts.push(`<text x="${left + pw / 2}" y="${top + plotH + 32}" font-size="11" text-anchor="middle" fill="#333">${esc(o.xLabel)}</text>`);
  parts.push(
    `<text transform="translate(14 ${top + plotH / 2}) rotate(-90)" font-size="11" text-anchor="middle" fill="#333">${esc(o.yLabel)}</text>`,
  );
  if (o.marker) {
    const x = r1(X(o.marker.x));
    parts.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${top + plotH}" stroke="#c00000" stroke-width="1.5" stroke-dasharray="5 3"/>`);
    const anchor = x > left + pw * 0.6 ? 'end' : 'start';
    const tx = anchor === 'end' ? x - 4 : x + 4;
    parts.push(`<text x="${tx}" y="${top - 6}" font-size="11" font-weight="600" text-anchor="${anchor}" fill="#c00000">${esc(o.marker.label)}</text>`);
  }
  // Series: broken at undefined values; dots when there are few points.
  const dots = xs.length > 0 && x1 - x0 <= 40;
  for (const s of o.series) {
    const segs: string[][] = [[]];
    for (const [x, y] of s.points) {
      if (y === null || !Number.isFinite(y)) {
        if (segs[segs.length - 1].length) segs.push([]);
        continue;
      }
      segs[segs.length - 1].push(`${r1(X(x))},${r1(Y(Math.min(yhi, Math.max(ylo, y))))}`);
    }
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    for (const seg of segs) {
      if (seg.length > 1) parts.push(`<polyline points="${seg.join(' ')}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1.8}"${dash} stroke-linejoin="round"/>`);
      if (dots || seg.length === 1) for (const p of seg) parts.push(`<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="2.2" fill="${s.color}"/>`);
    }
  }
  const lg = legend(
    o.series.map((s) => ({ name: s.name, color: s.color, dash: s.dash, width: s.width, kind: 'line' as const })),
    left,
    top + plotH + 40,
    pw,
  );
  parts.push(lg.svg);
  let H = top + plotH + 40 + lg.height + 6;
  if (o.note) {
    parts.push(`<text x="${left}" y="${H + 8}" font-size="11" fill="#8a4b00">${esc(o.note)}</text>`);
    H += 18;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" ${FONT} role="img" aria-label="${esc(o.title)}">${parts.join('')}</svg>`;
}

type Epoch = EpochRecord;

/** Training and validation loss per epoch. */
export function lossCurveSvg(epochs: readonly Epoch[], bestEpoch: number | null): string {
  const undefinedLoss = epochs.filter((e) => e.trainLoss === null || e.valLoss === null).map((e) => e.epoch);
  return lineChart({
    title: 'Loss',
    xLabel: 'epoch',
    yLabel: 'loss',
    series: [
      { name: 'training loss', color: '#0072b2', points: epochs.map((e) => [e.epoch, e.trainLoss]) },
      { name: 'validation loss', color: '#d55e00', dash: '6 3', points: epochs.map((e) => [e.epoch, e.valLoss]) },
    ],
    marker: bestEpoch !== null ? { x: bestEpoch, label: `best: epoch ${bestEpoch}` } : undefined,
    note: undefinedLoss.length ? `Loss not finite (diverged) at epoch ${undefinedLoss.slice(0, 6).join(', ')}${undefinedLoss.length > 6 ? ', ...' : ''}: gaps in the lines.` : undefined,
  });
}

/** "name (background)", unless the name says so already. */
export function backgroundLabel(name: string): string {
  return /background/i.test(name) ? name : `${name} (background)`;
}

/** Validation Dice per class per epoch, the headline in bold, pixel accuracy for contrast. */
export function diceCurveSvg(epochs: readonly Epoch[], bestEpoch: number | null, backgroundClass: string): string {
  const names = epochs.length ? epochs[epochs.length - 1].val.classes.map((c) => c.name) : [];
  let k = 0;
  const classSeries: Series[] = names.map((name) => {
    const isBg = name === backgroundClass;
    const color = isBg ? BACKGROUND_SERIES : seriesColor(k);
    const dash = isBg ? '4 3' : seriesDash(k);
    if (!isBg) k++;
    return {
      name: isBg ? backgroundLabel(name) : name,
      color,
      dash,
      width: 1.5,
      points: epochs.map((e) => [e.epoch, e.val.classes.find((c) => c.name === name)?.dice ?? null]),
    };
  });
  return lineChart({
    title: 'Validation Dice per class',
    xLabel: 'epoch',
    yLabel: 'Dice',
    yDomain: [0, 1],
    series: [
      { name: 'mean foreground Dice (headline)', color: '#111111', width: 3, points: epochs.map((e) => [e.epoch, e.val.meanForegroundDice]) },
      ...classSeries,
      { name: 'pixel accuracy (background-dominated)', color: '#777777', dash: '1 3', width: 1.5, points: epochs.map((e) => [e.epoch, e.val.pixelAccuracy]) },
    ],
    marker: bestEpoch !== null ? { x: bestEpoch, label: `best: epoch ${bestEpoch}` } : undefined,
  });
}

/** Percent with one decimal; "n/a" for undefined. */
function pctText(v: number | null): string {
  return v === null || !Number.isFinite(v) ? 'n/a' : `${(v * 100).toFixed(1)} %`;
}

/** Row-normalised confusion matrix: rows = ground truth, columns = prediction, cells in % of the row. */
export function confusionSvg(names: readonly string[], normalized: readonly (readonly (number | null)[])[], counts: readonly (readonly number[])[]): string {
  const K = names.length;
  const cell = K <= 4 ? 74 : K <= 8 ? 58 : 44;
  const labelW = Math.min(170, Math.max(60, ...names.map((n) => textWidth(n, 12) + 14)));
  const colLabelH = Math.min(120, Math.max(30, ...names.map((n) => textWidth(n, 12) * 0.72 + 16)));
  const left = 24 + labelW;
  const top = 34 + colLabelH;
  const totalW = 110;
  const sw = Math.min(220, K * cell);
  const W = Math.max(left + K * cell + totalW + 16, left + sw + 12 + textWidth('bold outline: diagonal = recall', 10) + 12);
  const parts: string[] = [];
  parts.push(`<text x="${left + (K * cell) / 2}" y="16" font-size="12" font-weight="600" text-anchor="middle" fill="#111">predicted class (columns)</text>`);
  parts.push(
    `<text transform="translate(14 ${top + (K * cell) / 2}) rotate(-90)" font-size="12" font-weight="600" text-anchor="middle" fill="#111">ground truth (rows)</text>`,
  );
  names.forEach((n, j) => {
    const x = left + j * cell + cell / 2;
    parts.push(`<text transform="translate(${x} ${top - 8}) rotate(-35)" font-size="12" fill="#222">${esc(n)}</text>`);
  });
  parts.push(`<text x="${left + K * cell + 10}" y="${top - 8}" font-size="11" fill="#555">pixels (row total)</text>`);
  for (let g = 0; g < K; g++) {
    const y = top + g * cell;
    parts.push(`<text x="${left - 8}" y="${y + cell / 2 + 4}" font-size="12" text-anchor="end" fill="#222">${esc(names[g])}</text>`);
    const rowTotal = counts[g].reduce((s, v) => s + v, 0);
    for (let p = 0; p < K; p++) {
      const v = normalized[g][p];
      const x = left + p * cell;
      const fill = v === null ? '#f0f0f0' : heatColor(v);
      const diag = g === p ? ' stroke="#111" stroke-width="2"' : ' stroke="#fff" stroke-width="1"';
      parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}"${diag}><title>${esc(`${names[g]} -> ${names[p]}: ${counts[g][p]} px (${pctText(v)} of ${names[g]})`)}</title></rect>`);
      const col = v === null ? '#777' : heatTextColor(v);
      parts.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" font-size="${cell >= 58 ? 12 : 10}" text-anchor="middle" fill="${col}">${pctText(v)}</text>`);
    }
    parts.push(`<text x="${left + K * cell + 10}" y="${y + cell / 2 + 4}" font-size="11" fill="#555">${rowTotal.toLocaleString('en-US')}</text>`);
  }
  // Colour scale.
  const sy = top + K * cell + 18;
  const steps = 20;
  for (let i = 0; i < steps; i++) parts.push(`<rect x="${r1(left + (i * sw) / steps)}" y="${sy}" width="${r1(sw / steps + 0.5)}" height="10" fill="${heatColor(i / (steps - 1))}"/>`);
  parts.push(`<rect x="${left}" y="${sy}" width="${sw}" height="10" fill="none" stroke="#999"/>`);
  parts.push(`<text x="${left}" y="${sy + 24}" font-size="10" fill="#555">0 %</text>`);
  parts.push(`<text x="${left + sw}" y="${sy + 24}" font-size="10" text-anchor="end" fill="#555">100 % of the row</text>`);
  parts.push(`<text x="${left + sw + 12}" y="${sy + 9}" font-size="10" fill="#555">bold outline: diagonal = recall</text>`);
  const H = sy + 34;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" ${FONT} role="img" aria-label="Normalised confusion matrix">${parts.join('')}</svg>`;
}

export interface BarRow {
  label: string;
  value: number | null;
  /** The same figure for the all-background prediction. */
  baseline: number | null;
  color: string;
  /** Drawn bold: the headline. */
  strong?: boolean;
  /** Short note after the value, e.g. "includes background". */
  note?: string;
}

export interface BarGroup {
  title: string;
  rows: BarRow[];
}

/** Horizontal bars in [0, 1]: each figure with the all-background figure as an outlined bar under it. */
export function barChartSvg(groups: readonly BarGroup[], width = 640): string {
  const labelW = Math.min(240, Math.max(120, ...groups.flatMap((g) => g.rows.map((r) => textWidth(r.label, 12) + 16))));
  const left = labelW + 8;
  const valueW = 150;
  const bw = width - left - valueW;
  const X = (v: number) => left + Math.max(0, Math.min(1, v)) * bw;
  const parts: string[] = [];
  let y = 8;
  for (const g of groups) {
    parts.push(`<text x="4" y="${y + 12}" font-size="12" font-weight="600" fill="#111">${esc(g.title)}</text>`);
    y += 22;
    const gy = y;
    for (const r of g.rows) {
      const weight = r.strong ? ' font-weight="700"' : '';
      parts.push(`<text x="${left - 8}" y="${y + 13}" font-size="12" text-anchor="end" fill="#111"${weight}>${esc(r.label)}</text>`);
      if (r.value !== null && Number.isFinite(r.value)) {
        parts.push(`<rect x="${left}" y="${y + 2}" width="${r1(X(r.value) - left)}" height="14" fill="${r.color}"/>`);
      } else parts.push(`<text x="${left + 4}" y="${y + 13}" font-size="11" fill="#777">undefined (n/a)</text>`);
      const valueText = `${r.value === null ? 'n/a' : r.value.toFixed(4)}${r.note ? `  ${r.note}` : ''}`;
      parts.push(`<text x="${left + bw + 8}" y="${y + 13}" font-size="12" fill="#111"${weight}>${esc(valueText)}</text>`);
      if (r.baseline !== null && Number.isFinite(r.baseline)) {
        parts.push(`<rect x="${left}" y="${y + 19}" width="${r1(Math.max(1, X(r.baseline) - left))}" height="7" fill="#ffffff" stroke="#666" stroke-width="1" stroke-dasharray="3 2"/>`);
      }
      parts.push(`<text x="${left + bw + 8}" y="${y + 27}" font-size="10" fill="#666">all-background: ${r.baseline === null ? 'n/a' : r.baseline.toFixed(4)}</text>`);
      y += 34;
    }
    for (const t of [0, 0.25, 0.5, 0.75, 1]) {
      const x = r1(X(t));
      parts.push(`<line x1="${x}" y1="${gy - 2}" x2="${x}" y2="${y - 4}" stroke="#000" stroke-opacity="${t === 0 ? 0.5 : 0.12}"/>`);
      parts.push(`<text x="${x}" y="${y + 8}" font-size="10" text-anchor="middle" fill="#555">${t}</text>`);
    }
    y += 20;
  }
  const lg = legend(
    [
      { name: 'model', color: '#555', kind: 'box' },
      { name: 'all-background prediction (baseline)', color: '#666', kind: 'outline' },
    ],
    left,
    y - 4,
    bw + valueW,
  );
  parts.push(lg.svg);
  const H = y - 4 + lg.height + 6;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${H}" width="${width}" height="${H}" ${FONT} role="img" aria-label="Per-class Dice with baselines">${parts.join('')}</svg>`;
}
