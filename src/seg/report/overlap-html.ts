// The report's part for overlapping classes: per class the threshold the model applies and the rule
// that chose it, the figures at it beside those at a shared 0.5 (what one threshold for all classes
// would give), the pixel ROC-AUC and average precision from the probabilities, and the ROC and
// precision-recall curves with the threshold marked. Rendered from report.json's `multiLabel`.
import type { MultiLabelSummary } from '../metrics/index.ts';
import { fig } from './figures.ts';
import { esc, lineChart } from './svg-plots.ts';
import type { ReportData, ReportEvaluation } from './types.ts';

// report.json holds JsonSafe values (NaN as null); of these only AUC, AP, prevalence, precision and
// Dice can be undefined, and every use below checks them; thresholds, rates and ids never are.
type Summary = MultiLabelSummary;
type Curve = Summary['classes'][number]['curve'];

/** The curve's point nearest to threshold t (points lie every 1/100). */
function pointAt(curve: Curve, t: number): Curve[number] | undefined {
  let best: Curve[number] | undefined;
  for (const p of curve) if (!best || Math.abs(p.threshold - t) < Math.abs(best.threshold - t)) best = p;
  return best;
}

function curvesSvg(c: Summary['classes'][number], color: string): string {
  const roc = lineChart({
    title: `${c.name}: ROC (AUC ${c.auc === null ? 'n/a' : c.auc.toFixed(3)})`,
    xLabel: 'false-positive rate',
    yLabel: 'true-positive rate',
    series: [
      { name: 'ROC', color, points: c.curve.map((p) => [p.fpr, p.tpr] as [number, number]) },
      { name: 'chance', color: '#999999', dash: '4 3', points: [[0, 0], [1, 1]] },
    ],
    yDomain: [0, 1],
    width: 320,
    height: 300,
  });
  const at = pointAt(c.curve, c.threshold);
  const pr = lineChart({
    title: `${c.name}: PR (AP ${c.averagePrecision === null ? 'n/a' : c.averagePrecision.toFixed(3)})`,
    xLabel: 'recall',
    yLabel: 'precision',
    series: [
      { name: 'PR', color, points: c.curve.filter((p) => p.precision !== null).map((p) => [p.tpr, p.precision] as [number, number | null]) },
      { name: `prevalence ${c.prevalence === null ? 'n/a' : (100 * c.prevalence).toFixed(1) + ' %'}`, color: '#999999', dash: '4 3', points: [[0, c.prevalence ?? null], [1, c.prevalence ?? null]] },
    ],
    yDomain: [0, 1],
    width: 320,
    height: 300,
    ...(at ? { note: `threshold ${c.threshold.toFixed(3)}: recall ${at.tpr.toFixed(3)}, precision ${at.precision === null ? 'n/a' : at.precision.toFixed(3)}` } : {}),
  });
  return `<div class="figure">${roc}</div><div class="figure">${pr}</div>`;
}

export function overlapSection(d: ReportData, e: ReportEvaluation): string {
  const m = (e.result as unknown as { multiLabel?: Summary }).multiLabel;
  if (!m) return '';
  const rule = d.thresholds ? `${esc(d.thresholds.rule)}: ${esc(d.thresholds.ruleText)}` : esc(m.thresholdRuleText);
  const rows = m.classes.map((c) => {
    const r = e.result.classes[c.id];
    const half = pointAt(c.curve, 0.5);
    return `<tr class="${c.isBackground ? 'bg' : ''}"><td>${esc(c.name)}${c.isBackground ? ' <span class="tag">background</span>' : ''}</td>
<td class="num strong">${c.threshold.toFixed(3)}</td><td class="num strong">${fig(r.dice)}</td><td class="num">${fig(half?.dice ?? null)}</td>
<td class="num">${fig(c.auc)}</td><td class="num">${fig(c.averagePrecision)}</td><td class="num">${fig(c.prevalence)}</td></tr>`;
  });
  const colors = d.classes.map((c) => (c.isBackground ? '#555555' : c.color));
  return `<h3>Overlapping classes: a threshold per class, AUC and curves</h3>
<p>Each class is its own binary target (sigmoid output). Thresholds: ${rule}</p>
<div class="scroll"><table class="classes"><thead><tr><th>Class</th><th class="num">Threshold</th><th class="num">Dice<br>at it</th><th class="num">Dice at a<br>shared 0.5</th>
<th class="num">Pixel<br>ROC-AUC</th><th class="num">Average<br>precision</th><th class="num">Prevalence</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></div>
<p class="caption">ROC-AUC and average precision come from the probabilities, never from thresholded masks; mean over foreground classes (named as such): ROC-AUC ${fig(m.meanForegroundAuc)}, average precision ${fig(m.meanForegroundAveragePrecision)}. Method: ${esc(m.aucMethod)}.</p>
<div class="plots">${m.classes.filter((c) => !c.isBackground).map((c) => curvesSvg(c, colors[c.id])).join('')}</div>`;
}
