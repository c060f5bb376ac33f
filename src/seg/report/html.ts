// The report as one self-contained HTML file: inline CSS, inline SVG plots, thumbnails as data URIs,
// no script, and a Content-Security-Policy that forbids every network request, so it opens offline
// and shows the same thing on any machine. Rendered from ReportData (report.json) only.
import type { ScopedFinding } from './types.ts';
import type { GalleryEntry, ReportData, ReportEvaluation } from './types.ts';
import { ERROR_COLORS, seriesColor } from './palette.ts';
import { backgroundLabel, barChartSvg, confusionSvg, diceCurveSvg, esc, lossCurveSvg } from './svg-plots.ts';
import type { BarGroup } from './svg-plots.ts';
import type { ImageThumbnails } from './thumbnails.ts';
import { STYLE } from './style.ts';
import { overlapSection } from './overlap-html.ts';
import { fig } from './figures.ts';
import type { Num } from './figures.ts';

export { fig };

/** Thumbnails by split and image name (only the gallery's images need one). */
export type ThumbnailSet = Partial<Record<string, Record<string, ImageThumbnails>>>;

function pct(v: Num): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '<span class="na">n/a</span>' : `${(v * 100).toFixed(v < 0.01 && v > 0 ? 2 : 1)} %`;
}

function int(v: Num): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '<span class="na">n/a</span>' : Math.round(v).toLocaleString('en-US');
}

/** An id usable in a fragment link. */
export function anchor(...parts: string[]): string {
  return parts.map((p) => p.replace(/[^A-Za-z0-9_-]+/g, '_')).join('--');
}

const SEVERITY_LABEL: Record<string, string> = { critical: 'Critical', warning: 'Warning', info: 'Note' };
const SCOPE_LABEL: Record<string, string> = { data: 'data', split: 'split', training: 'training', val: 'validation', test: 'test' };

function evidenceValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : fig(v);
  if (v === null || v === undefined) return '<span class="na">n/a</span>';
  return esc(String(v));
}

function imageLinks(d: ReportData, f: ScopedFinding): string {
  if (f.images.length === 0) return '';
  const shownIn = (name: string) =>
    d.evaluations.find((e) => (f.scope === e.split || !['val', 'test'].includes(f.scope)) && e.gallery.some((g) => g.image === name));
  const max = 12;
  const items = f.images.slice(0, max).map((name) => {
    const ev = shownIn(name);
    return ev ? `<a href="#${anchor('img', ev.split, name)}">${esc(name)}</a>` : `<span>${esc(name)}</span>`;
  });
  const more = f.images.length > max ? ` <span class="muted">and ${f.images.length - max} more (all in report.json)</span>` : '';
  return `<p class="images"><b>Images${f.images.length > 1 ? ' (worst first)' : ''}:</b> ${items.join(', ')}${more}</p>`;
}

function findingHtml(d: ReportData, f: ScopedFinding): string {
  const ev = Object.entries(f.evidence)
    .map(([k, v]) => `<span class="ev"><span class="k">${esc(k)}</span> ${evidenceValue(v)}</span>`)
    .join('');
  return `<article class="finding ${f.severity}">
<header><span class="badge ${f.severity}">${SEVERITY_LABEL[f.severity] ?? esc(f.severity)}</span> <h3>${esc(f.title)}</h3>
<code class="fid">${esc(f.id)}</code> <span class="scope">${esc(SCOPE_LABEL[f.scope] ?? f.scope)}</span></header>
<p>${esc(f.message)}</p>
<p class="action"><b>What to do:</b> ${esc(f.action)}</p>
${imageLinks(d, f)}
${ev ? `<p class="evidence"><b>Evidence:</b> ${ev}</p>` : ''}
</article>`;
}

/** "a, b and c" */
function words(list: string[]): string {
  return list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
}

function findingsSection(d: ReportData): string {
  const what = d.audit.checked.length ? words(d.audit.checked) : 'the predictions';
  const intro = d.audit.ran
    ? d.findings.length
      ? `<p>The audit checked ${esc(what)} for the ways a score can mislead: ${d.audit.critical} critical, ${d.audit.warning} warning(s), ${d.audit.info} note(s), most serious first.</p>`
      : `<p class="ok">The audit checked ${esc(what)} and found nothing that makes these figures misleading.</p>`
    : '<p class="warn">No audit was run for this report: the figures below were not checked for background domination, deceptive images, split problems or training failures.</p>';
  return `<section id="findings"><h2>Audit findings</h2>${intro}${d.findings.map((f) => findingHtml(d, f)).join('\n')}</section>`;
}

/** The headline with the figures that can mislead beside it, each with its all-background value. */
function headlineTable(e: ReportEvaluation): string {
  const r = e.result;
  const b = r.baseline;
  const fgCount = r.classes.filter((c) => !c.isBackground).length;
  const rows: [string, Num, Num, string][] = [
    [`<b>Mean foreground Dice</b> (headline) <span class="muted">over ${r.validForegroundClasses} of ${fgCount} foreground classes</span>`, r.meanForegroundDice, b.meanForegroundDice, 'headline'],
    ['Mean foreground IoU', r.meanForegroundIoU, b.meanForegroundIoU, ''],
    [`Dice including background <span class="muted">over ${r.validClasses} classes</span>`, r.meanDiceWithBackground, b.meanDiceWithBackground, 'inclusive'],
    ['Channel-summed Dice <span class="muted">(Keras-style)</span>', r.channelSummedDice, b.channelSummedDice, 'inclusive'],
    ['Pixel accuracy', r.pixelAccuracy, r.allBackgroundAccuracy, 'inclusive'],
  ];
  return `<table class="headline"><thead><tr><th>Figure</th><th class="num">Model</th><th class="num">All-background prediction</th></tr></thead><tbody>
${rows.map(([label, v, base, cls]) => `<tr class="${cls}"><td>${label}${cls === 'inclusive' ? ' <span class="tag">includes background</span>' : ''}</td><td class="num">${fig(v)}</td><td class="num">${fig(base)}</td></tr>`).join('\n')}
</tbody></table>`;
}

function classTable(d: ReportData, e: ReportEvaluation): string {
  const r = e.result;
  const objects = e.objects;
  const labelled = r.labelledPixels ?? 0;
  const rows = r.classes.map((c, i) => {
    const oc = objects?.classes.find((o) => o.name === c.name);
    const obj = c.isBackground ? '' : oc && oc.objects ? `${fig(oc.recall)} <span class="muted">(${oc.found}/${oc.objects})</span>` : '<span class="na">n/a</span>';
    const base = r.baseline.classes[i];
    const share = labelled > 0 && c.gtPixels !== null ? c.gtPixels / labelled : null;
    return `<tr class="${c.isBackground ? 'bg' : ''}"><td>${esc(c.name)}${c.isBackground ? ' <span class="tag">background</span>' : ''}</td>
<td class="num strong">${fig(c.dice)}</td><td class="num">${fig(c.iou)}</td><td class="num">${fig(c.precision)}</td><td class="num">${fig(c.recall)}</td>
<td class="num">${fig(c.diceImageMean)}</td><td class="num">${c.validImages}/${r.images}</td>${objects ? `<td class="num">${obj}</td>` : ''}
<td class="num">${int(c.gtPixels)}<span class="share muted">${pct(share)}</span></td><td class="num">${int(c.predPixels)}</td><td class="num">${fig(base?.dice)}</td></tr>`;
  });
  return `<div class="scroll"><table class="classes"><thead><tr><th>Class</th><th class="num">Dice</th><th class="num">IoU</th><th class="num">Precision</th><th class="num">Recall</th>
<th class="num">Dice<br><span class="muted">image mean</span></th><th class="num">Valid<br>images</th>${objects ? '<th class="num">Object<br>recall</th>' : ''}
<th class="num">Ground-truth<br>pixels</th><th class="num">Predicted<br>pixels</th><th class="num">All-background<br>Dice</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>
<p class="caption">Dice, IoU, precision and recall from pixel counts summed over the ${r.images} images; "image mean" averages the per-image Dice over the valid images (where the class is in the ground truth or the prediction). n/a = undefined (0/0), never counted as 0 or 1.${objects ? ' Object recall: share of ground-truth objects found (see "How every number was computed").' : ''}${(r.ignoredPixels ?? 0) > 0 ? ` ${int(r.ignoredPixels)} ignored pixels excluded.` : ''}</p>`;
}

function barGroups(e: ReportEvaluation): BarGroup[] {
  const r = e.result;
  let k = 0;
  const classRows = r.classes.map((c, i) => ({
    label: c.isBackground ? backgroundLabel(c.name) : c.name,
    value: c.dice,
    baseline: r.baseline.classes[i]?.dice ?? null,
    color: c.isBackground ? '#999999' : seriesColor(k++),
  }));
  return [
    {
      title: 'Headline and the figures that include the background',
      rows: [
        { label: 'Mean foreground Dice (headline)', value: r.meanForegroundDice, baseline: r.baseline.meanForegroundDice, color: '#111111', strong: true },
        { label: 'Dice including background', value: r.meanDiceWithBackground, baseline: r.baseline.meanDiceWithBackground, color: '#9a9a9a' },
        { label: 'Channel-summed Dice', value: r.channelSummedDice, baseline: r.baseline.channelSummedDice, color: '#9a9a9a' },
        { label: 'Pixel accuracy', value: r.pixelAccuracy, baseline: r.allBackgroundAccuracy, color: '#9a9a9a' },
      ],
    },
    { title: 'Dice per class', rows: classRows },
  ];
}

function legendHtml(d: ReportData): string {
  const classes = d.classes
    .map((c) => `<span class="key"><span class="sw" style="background:${esc(c.color)}"></span>${esc(c.name)}</span>`)
    .join('');
  const errs = (['tp', 'fp', 'fn', 'ignore'] as const)
    .map((k) => `<span class="key"><span class="sw" style="background:${ERROR_COLORS[k].hex}"></span>${esc(ERROR_COLORS[k].label)}</span>`)
    .join('');
  return `<div class="legend"><div><b>Ground truth / prediction:</b> ${classes}<span class="key"><span class="sw" style="background:${ERROR_COLORS.ignore.hex}"></span>ignored</span></div>
<div><b>Error map of a class:</b> ${errs}<span class="key"><span class="sw" style="background:#3a3a3a"></span>other pixels (dimmed original)</span></div></div>`;
}

function galleryItem(d: ReportData, e: ReportEvaluation, g: GalleryEntry, t: ImageThumbnails | undefined): string {
  const id = anchor('img', e.split, g.image);
  const head = `<h4><span class="rank">#${g.rank}</span> ${esc(g.image)} ${g.deceptive ? '<span class="badge warning">deceptive</span>' : ''}</h4>
<p class="figs">pixel accuracy <b>${fig(g.pixelAccuracy)}</b> · Dice incl. background <b>${fig(g.meanDiceWithBackground)}</b> · <span class="fgd">foreground Dice <b>${fig(g.meanForegroundDice)}</b></span> · gap ${fig(g.gap)}</p>`;
  if (!t) return `<div class="gitem" id="${id}">${head}<p class="muted">No thumbnails (the image could not be read).</p></div>`;
  const tile = (uri: string, caption: string, sub = '') =>
    `<figure><img src="${uri}" width="${t.width}" height="${t.height}" alt="${esc(caption)}"><figcaption>${esc(caption)}${sub ? `<br><span class="muted">${sub}</span>` : ''}</figcaption></figure>`;
  const errs = t.errors.map((er) => {
    const c = g.classes.find((x) => x.name === er.className);
    const sub = c ? `Dice ${fig(c.dice)}<br>FP ${int(c.fp)} px · FN ${int(c.fn)} px` : '';
    return tile(er.uri, `errors: ${er.className}`, sub);
  });
  const n = 3 + t.errors.length;
  // One row on screen (tiles shrink to fit), at most four per row on paper.
  return `<div class="gitem" id="${id}">${head}<div class="tiles" style="--n:${n};--np:${Math.min(n, 4)};--w:${t.width}px">
${tile(t.original, 'original', `${t.sourceWidth} x ${t.sourceHeight} px`)}${tile(t.groundTruth, 'ground truth')}${tile(t.prediction, 'prediction')}${errs.join('')}
</div></div>`;
}

function gallery(d: ReportData, e: ReportEvaluation, thumbs: Record<string, ImageThumbnails> | undefined): string {
  const deceptive = e.deceptive.length;
  const shownDeceptive = e.gallery.filter((g) => g.deceptive).length;
  const order =
    e.galleryOrder === 'audit'
      ? 'in the order of the audit\'s "deceptive-images" finding'
      : 'found by the same rule as the audit (no audit ran)';
  const intro = deceptive
    ? `<p><b>${deceptive} deceptive image(s)${shownDeceptive < deceptive ? `, the worst ${shownDeceptive} shown` : ''} first</b> (${order}): their background-inclusive score looks good while their foreground Dice is poor. Then the other images, most flattered by the background-inclusive score first.</p>`
    : '<p>No image of this split is deceptive (good-looking background-inclusive score with a poor foreground Dice). Images are shown most flattered by the background-inclusive score first.</p>';
  const omitted = e.galleryOmitted > 0 ? `<p class="muted">${e.galleryOmitted} further image(s) not shown; their figures are in report.json and per_image_class.csv.</p>` : '';
  return `<h3>Images: original | ground truth | prediction | error map per class</h3>${intro}${legendHtml(d)}
${e.gallery.map((g) => galleryItem(d, e, g, thumbs?.[g.image])).join('\n')}${omitted}`;
}

function evaluationSection(d: ReportData, e: ReportEvaluation, thumbs: ThumbnailSet): string {
  const r = e.result;
  const names = r.classes.map((c) => c.name);
  return `<section id="${anchor('eval', e.split)}"><h2>${esc(e.label)} set: ${r.images} image(s)</h2>
<p class="muted">${int(r.labelledPixels)} labelled pixels${(r.ignoredPixels ?? 0) > 0 ? `, ${int(r.ignoredPixels)} ignored` : ''}.</p>
<h3>Headline, with the background-inclusive and all-background figures beside it</h3>${headlineTable(e)}
<h3>Per class</h3>${classTable(d, e)}
${overlapSection(d, e)}
<div class="plots"><div class="figure"><h3>Dice with the all-background prediction beside it</h3>${barChartSvg(barGroups(e), 600)}</div>
<div class="figure scroll"><h3>Pixel confusion matrix, normalised per ground-truth class</h3>${confusionSvg(names, e.confusionNormalized, r.confusion as number[][])}</div></div>
${gallery(d, e, thumbs[e.split])}
</section>`;
}

/** The deceptive images of a split, linked to their thumbnails, for the summary card. */
function deceptiveLine(e: ReportEvaluation): string {
  if (e.deceptive.length === 0) return '<p class="small ok">No deceptive image.</p>';
  const shown = new Set(e.gallery.map((g) => g.image));
  const links = e.deceptive
    .slice(0, 8)
    .map((n) => (shown.has(n) ? `<a href="#${anchor('img', e.split, n)}">${esc(n)}</a>` : esc(n)))
    .join(', ');
  return `<p class="small warn-line"><b>${e.deceptive.length} deceptive image(s)</b> (good-looking score, poor foreground Dice): ${links}${e.deceptive.length > 8 ? ', ...' : ''}</p>`;
}

function summary(d: ReportData): string {
  const cards = d.evaluations
    .map((e) => {
      const r = e.result;
      const fgCount = r.classes.filter((c) => !c.isBackground).length;
      return `<div class="card"><div class="card-title">${esc(e.label)} · ${r.images} images</div>
<div class="big">${fig(r.meanForegroundDice)}</div><div class="big-label">mean foreground Dice (headline), ${r.validForegroundClasses} of ${fgCount} classes</div>
<table class="mini"><tr><td>all-background prediction</td><td class="num">${fig(r.baseline.meanForegroundDice)}</td></tr>
<tr><td>Dice including background</td><td class="num">${fig(r.meanDiceWithBackground)}</td></tr>
<tr><td>pixel accuracy (all-background: ${fig(r.allBackgroundAccuracy)})</td><td class="num">${fig(r.pixelAccuracy)}</td></tr></table>
<div class="perclass">${r.classes
        .filter((c) => !c.isBackground)
        .map((c) => `<span class="pc">${esc(c.name)} <b>${fig(c.dice)}</b></span>`)
        .join('')}</div>${deceptiveLine(e)}</div>`;
    })
    .join('');
  const a = d.audit;
  const auditCard = a.ran
    ? `<div class="card"><div class="card-title">Audit</div><div class="counts"><span class="badge critical">${a.critical} critical</span> <span class="badge warning">${a.warning} warning</span> <span class="badge info">${a.info} note</span></div>
<ul class="flist">${d.findings
        .slice(0, 6)
        .map((f) => `<li><span class="dot ${f.severity}"></span>${esc(f.title)} <span class="muted">(${esc(SCOPE_LABEL[f.scope] ?? f.scope)})</span></li>`)
        .join('')}${d.findings.length > 6 ? `<li class="muted">and ${d.findings.length - 6} more</li>` : ''}${d.findings.length === 0 ? '<li>nothing found</li>' : ''}</ul></div>`
    : '<div class="card"><div class="card-title">Audit</div><p class="warn">Not run.</p></div>';
  return `<section id="summary"><h2>Summary</h2><div class="cards">${cards}${auditCard}</div></section>`;
}

function curves(d: ReportData): string {
  const h = d.history;
  if (!h) return '<section id="curves"><h2>Learning curves</h2><p class="muted">No training history (metrics.jsonl) was given.</p></section>';
  const last = h.epochs[h.epochs.length - 1];
  const best = h.epochs.find((e) => e.epoch === h.bestEpoch);
  return `<section id="curves"><h2>Learning curves</h2>
<p>${h.epochs.length} epoch(s). ${best ? `Best epoch <b>${best.epoch}</b> by ${esc(h.monitor ?? 'the monitored figure')} = ${fig(best.monitor.value)} (validation mean foreground Dice ${fig(best.val.meanForegroundDice)}); the report's predictions use ${esc(d.run?.checkpoint ?? 'these')} weights.` : 'No epoch is marked best.'} Last epoch ${last.epoch}: validation mean foreground Dice ${fig(last.val.meanForegroundDice)}.</p>
<div class="plots"><div class="figure">${lossCurveSvg(h.epochs, h.bestEpoch)}</div><div class="figure">${diceCurveSvg(h.epochs, h.bestEpoch, d.backgroundClass)}</div></div></section>`;
}

function dataSection(d: ReportData): string {
  const ds = d.dataset;
  const classRows = d.classes
    .map((c) => `<tr><td><span class="sw" style="background:${esc(c.color)}"></span> ${esc(c.name)}${c.isBackground ? ' <span class="tag">background</span>' : ''}</td><td>${c.id}</td><td>${esc(c.values.join(', '))}</td></tr>`)
    .join('');
  let split = '<p class="muted">No split manifest was given.</p>';
  const s = d.split;
  if (s) {
    const sides = (['train', 'val', 'test'] as const).filter((k) => (s.splits[k].images ?? 0) > 0);
    const head = `<tr><th>Class</th>${sides.map((k) => `<th class="num">${k} <span class="muted">(${s.splits[k].images} images)</span></th>`).join('')}<th class="num">all <span class="muted">(${s.all.images})</span></th></tr>`;
    const rows = s.classNames
      .map((name, c) => {
        const cell = (st: (typeof s.splits)['train']) => `<td class="num">${pct(st.fractions[c])} <span class="muted">in ${st.presence[c]} img</span></td>`;
        return `<tr class="${c === s.background ? 'bg' : ''}"><td>${esc(name)}</td>${sides.map((k) => cell(s.splits[k])).join('')}${cell(s.all)}</tr>`;
      })
      .join('');
    const settings = s.settings ? `<p class="muted">Split settings: ${esc(Object.entries(s.settings).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', '))}</p>` : '';
    split = `<h3>Class pixel fractions per split</h3><div class="scroll"><table class="classes"><thead>${head}</thead><tbody>${rows}</tbody></table></div>
<p class="caption">Share of the labelled pixels of each split that carry the class; "in N img" = images containing the class.</p>${settings}`;
  }
  return `<section id="data"><h2>Data set and split</h2>
${ds ? `<p>Data set <b>${esc(ds.name)}</b>${ds.dir ? ` <span class="muted">(${esc(ds.dir)})</span>` : ''}: ${ds.images} image(s).</p>` : ''}
${ds?.excluded?.length ? `<p id="excluded">${ds.excluded.length} image(s) excluded from training, the split and the scores by the project file: ${ds.excluded.map((e) => `<b>${esc(e.name)}</b>${e.reason ? ` (${esc(e.reason)})` : ''}`).join(', ')}.</p>` : ''}
<h3>Class table</h3><table class="kv small"><thead><tr><th>Class</th><th>Id</th><th>Stored mask values</th></tr></thead><tbody>${classRows}</tbody></table>
${d.ignoreValues.length ? `<p class="muted">Ignored (unlabelled) mask values: ${esc(d.ignoreValues.join(', '))}.</p>` : ''}
${split}</section>`;
}

/** Nested settings as dotted keys, arrays of scalars inline. */
export function flatten(value: unknown, prefix = ''): [string, string][] {
  if (value === null || typeof value !== 'object') return [[prefix || 'value', JSON.stringify(value) ?? 'undefined']];
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return [[prefix, JSON.stringify(value)]];
    return value.flatMap((v, i) => flatten(v, `${prefix}[${i}]`));
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return [[prefix, '{}']];
  return entries.flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
}

function kvTable(rows: [string, string][]): string {
  return `<table class="kv">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td><code>${esc(v)}</code></td></tr>`).join('')}</table>`;
}

function runSection(d: ReportData): string {
  const r = d.run;
  if (!r) return '<section id="run"><h2>Run</h2><p class="muted">No run information was given (predictions evaluated without a run folder).</p></section>';
  const basics: [string, string][] = [['run', r.id]];
  if (r.dir) basics.push(['folder', r.dir]);
  if (r.checkpoint) basics.push(['weights used for the predictions', r.checkpoint]);
  if (r.backend) basics.push(['backend', r.backend]);
  if (r.started) basics.push(['started', r.started]);
  if (r.finished) basics.push(['finished', r.finished]);
  if (r.parent) {
    const p = r.parent;
    basics.push([
      'fine-tuned from',
      `run ${p.runId} (its best epoch ${p.epoch ?? '?'}, ${p.dir}), learning rate ${p.lr.toExponential(1)}; ` +
        (p.head === 'kept' ? 'same classes, every weight kept' : `new head: kept ${p.kept.join(', ') || 'none'}; new ${p.added.join(', ') || 'none'}${p.dropped.length ? `; dropped ${p.dropped.join(', ')}` : ''}`),
    ]);
  }
  const parts: string[] = [];
  if (r.seeds && Object.keys(r.seeds).length) parts.push(`<h3>Seeds</h3>${kvTable(Object.entries(r.seeds).map(([k, v]) => [k, String(v)]))}`);
  if (r.versions && Object.keys(r.versions).length) parts.push(`<h3>Versions</h3>${kvTable(Object.entries(r.versions))}`);
  const config = r.config
    ? `<h3>Training configuration (config.json)</h3><div class="kvcols">${flatten(r.config)
        .map(([k, v]) => `<div class="kvrow"><span class="k">${esc(k)}</span> <code>${esc(v)}</code></div>`)
        .join('')}</div>`
    : '';
  return `<section id="run"><h2>Configuration, seeds, backend and versions</h2><h3>Run</h3>${kvTable(basics)}<div class="cols">${parts.map((p) => `<div>${p}</div>`).join('')}</div>${config}</section>`;
}

function explainSection(d: ReportData): string {
  const sections = d.explain.sections
    .map(
      (s) =>
        `<h3>${esc(s.title)}</h3><ul>${s.items
          .map((it) => `<li>${esc(it.text)}${it.sub?.length ? `<ul>${it.sub.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : ''}</li>`)
          .join('')}</ul>`,
    )
    .join('');
  return `<section id="how"><h2>How every number was computed</h2>${sections}</section>`;
}

function nav(d: ReportData): string {
  const links: [string, string][] = [
    ['summary', 'Summary'],
    ['findings', 'Audit findings'],
    ...d.evaluations.map((e): [string, string] => [anchor('eval', e.split), `${e.label} set`]),
    ['curves', 'Learning curves'],
    ['data', 'Data set and split'],
    ['run', 'Configuration'],
    ['how', 'How every number was computed'],
  ];
  return `<nav>${links.map(([id, t]) => `<a href="#${id}">${esc(t)}</a>`).join('')}</nav>`;
}

export function renderReportHtml(d: ReportData, thumbs: ThumbnailSet = {}): string {
  const subtitle = [d.run ? `run ${d.run.id}` : '', d.dataset ? `data set ${d.dataset.name}` : '', `generated ${d.generated}`].filter(Boolean).join(' · ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="seglens report ${d.version}">
<title>${esc(d.title)}</title>
<style>${STYLE}</style></head>
<body><main>
<header class="top"><h1>${esc(d.title)}</h1><p class="muted">${esc(subtitle)}</p>
<p class="files muted">Companion files: report.json (every figure of this page) · per_image_class.csv (counts and figures per image and class).</p></header>
${nav(d)}
${summary(d)}
${findingsSection(d)}
${d.evaluations.map((e) => evaluationSection(d, e, thumbs)).join('\n')}
${curves(d)}
${dataSection(d)}
${runSection(d)}
${explainSection(d)}
</main></body></html>
`;
}
