// The report's stylesheet, inlined into the HTML. System fonts only (nothing to download); print
// rules keep figures, findings and gallery rows on one page each.

/**
 * The PDF is printed at this scale: the page is laid out as on a screen 1 / PRINT_SCALE times the
 * width of A4's printable area (about 957 CSS px instead of 718), so tables keep the screen's type
 * sizes and proportions, only smaller.
 */
export const PRINT_SCALE = 0.75;
/** A4 (210 mm) minus the @page side margins (2 x 12 mm), in CSS pixels. */
export const A4_PRINTABLE_WIDTH = Math.floor(((210 - 24) / 25.4) * 96);
export const STYLE = `
:root { --ink:#1a1a1a; --muted:#666; --line:#ddd; --crit:#b00020; --warn:#a35a00; --info:#2b5f8a; --ok:#1d6b3a; }
* { box-sizing: border-box; }
body { margin:0; background:#f6f6f4; color:var(--ink); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 60px; background:#fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 6px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 15px; margin: 22px 0 8px; }
h4 { font-size: 14px; margin: 0 0 2px; }
p { margin: 6px 0; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; }
.muted { color: var(--muted); }
.na { color: #999; font-style: italic; }
.warn { color: var(--warn); font-weight: 600; }
.ok { color: var(--ok); font-weight: 600; }
.files { font-size: 12px; }
nav { display:flex; flex-wrap:wrap; gap: 4px 14px; padding: 8px 0 10px; border-bottom: 1px solid var(--line); font-size: 13px; }
nav a { color: var(--info); text-decoration: none; }
nav a:hover { text-decoration: underline; }
.cards { display:flex; flex-wrap: wrap; gap: 14px; }
.card { flex: 1 1 300px; border:1px solid var(--line); border-radius: 6px; padding: 12px 14px; background:#fcfcfb; }
.card-title { font-weight: 600; color: var(--muted); text-transform: uppercase; font-size: 12px; letter-spacing: .04em; }
.big { font-size: 40px; font-weight: 700; line-height: 1.1; margin-top: 6px; font-variant-numeric: tabular-nums; }
.big-label { color: var(--muted); font-size: 12px; margin-bottom: 8px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.mini td { padding: 2px 8px 2px 0; font-size: 13px; }
table.headline, table.classes { width: 100%; margin: 4px 0 8px; }
table.classes { font-size: 13px; }
table.headline th, table.headline td, table.classes th, table.classes td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
table.headline thead th, table.classes thead th { background: #f0f0ee; font-size: 12px; border-bottom: 2px solid #bbb; }
table.headline tr.headline td { background: #eef4fb; font-size: 15px; }
table.headline tr.inclusive td { color: #444; }
td.num, th.num { text-align: right !important; }
td.num { white-space: nowrap; }
td.strong { font-weight: 700; }
tr.bg td { color: #666; background: #fafafa; }
.share { display:block; font-size: 11px; }
.tag { display:inline-block; font-size: 10px; padding: 0 5px; border-radius: 3px; background:#ececec; color:#555; vertical-align: 1px; white-space: nowrap; }
table.kv { margin: 4px 0; }
table.kv th { text-align:left; font-weight: 500; color: #444; padding: 3px 14px 3px 0; vertical-align: top; white-space: nowrap; }
table.kv td { padding: 3px 0; word-break: break-word; }
table.kv.small th, table.kv.small td { padding: 3px 14px 3px 0; }
.kvcols { column-count: 3; column-gap: 32px; font-size: 13px; }
.kvrow { break-inside: avoid; padding: 2px 0; border-bottom: 1px dotted #e2e2e2; display: flex; justify-content: space-between; gap: 12px; }
.kvrow .k { color: #444; }
.caption { font-size: 12px; color: var(--muted); max-width: 900px; }
.scroll { overflow-x: auto; }
.figure { margin: 10px 0; }
.figure svg { max-width: 100%; height: auto; }
.plots { display:flex; flex-wrap: wrap; gap: 18px; }
.plots .figure { flex: 1 1 520px; min-width: 0; }
.plots .figure h3 { margin-top: 8px; }
.perclass { margin-top: 8px; padding-top: 6px; border-top: 1px solid var(--line); font-size: 13px; }
.small { font-size: 12px; margin-top: 6px; }
.warn-line { color: var(--warn); }
.warn-line a, .card a { color: var(--info); }
.perclass .pc { display:inline-block; margin-right: 14px; white-space: nowrap; }
table.classes td:first-child { white-space: nowrap; }
.cols { display:flex; flex-wrap: wrap; gap: 8px 40px; }
.cols > div { flex: 1 1 320px; min-width: 0; }
.badge { display:inline-block; font-size: 11px; font-weight: 700; padding: 1px 7px; border-radius: 10px; color:#fff; vertical-align: 2px; text-transform: uppercase; letter-spacing: .03em; }
.badge.critical { background: var(--crit); }
.badge.warning { background: var(--warn); }
.badge.info { background: var(--info); }
.dot { display:inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 6px; }
.dot.critical { background: var(--crit); } .dot.warning { background: var(--warn); } .dot.info { background: var(--info); }
.flist { list-style: none; padding: 0; margin: 8px 0 0; font-size: 13px; }
.counts { margin: 8px 0 4px; }
.finding { border: 1px solid var(--line); border-left: 6px solid var(--info); border-radius: 4px; padding: 10px 14px; margin: 10px 0; background: #fff; }
.finding.critical { border-left-color: var(--crit); background: #fff8f8; }
.finding.warning { border-left-color: var(--warn); background: #fffbf3; }
.finding header h3 { display:inline; font-size: 15px; margin: 0 6px 0 4px; }
.finding .fid { color: var(--muted); }
.finding .scope { font-size: 11px; color: var(--muted); border: 1px solid var(--line); border-radius: 3px; padding: 0 5px; margin-left: 4px; }
.finding .action { background: rgba(0,0,0,.035); padding: 6px 8px; border-radius: 3px; }
.finding .images a { color: var(--info); }
.evidence { font-size: 12px; color: #333; }
.evidence .ev { display:inline-block; margin: 1px 10px 1px 0; white-space: nowrap; font-variant-numeric: tabular-nums; }
.evidence .k { color: var(--muted); }
.legend { font-size: 12px; margin: 8px 0 12px; padding: 8px 10px; background: #f7f7f5; border: 1px solid var(--line); border-radius: 4px; }
.legend > div { margin: 2px 0; }
.key { display:inline-flex; align-items:center; margin: 0 12px 0 6px; white-space: nowrap; }
.sw { display:inline-block; width: 14px; height: 14px; border: 1px solid #888; margin-right: 5px; vertical-align: -2px; }
.gitem { border-top: 1px solid var(--line); padding: 12px 0 8px; }
.gitem .rank { color: var(--muted); font-weight: 400; margin-right: 4px; }
.gitem .figs { font-size: 12px; color: #333; margin: 0 0 8px; }
.gitem .fgd b { color: var(--crit); }
.tiles { display:grid; grid-template-columns: repeat(var(--n), minmax(0, var(--w))); gap: 10px; }
.tiles figure { margin: 0; min-width: 0; }
.tiles img { display:block; width: 100%; height: auto; border: 1px solid #bbb; background: #000; }
.tiles figcaption { font-size: 11px; margin-top: 3px; line-height: 1.3; overflow-wrap: anywhere; }
#how li { margin: 4px 0; max-width: 940px; }
@media print {
  body { background: #fff; }
  table.headline th, table.headline td, table.classes th, table.classes td { padding: 4px 6px; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; }
  h3 { break-after: avoid; }
  .finding, .gitem, .figure, .card, table.headline, tr { break-inside: avoid; }
  .scroll { overflow: visible; }
  .tiles { grid-template-columns: repeat(var(--np), minmax(0, 1fr)); }
}
@page { size: A4; margin: 14mm 12mm; }
`;
