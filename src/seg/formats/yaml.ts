// A YAML 1.2 writer for plain data (objects, arrays, strings, finite numbers, booleans, null), for
// files other programs read (bioimage.io's rdf.yaml). Block style with two-space indents; a string
// is written plain only when no YAML reader could take it for anything else, otherwise as a JSON
// string (JSON's double-quoted strings are valid YAML). Comments may precede a key.
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue | undefined };

/** Keys whose value gets a comment line above it: `{ path: 'weights.onnx', text: '...' }`. */
export interface YamlComment {
  /** Dotted path of the key ('authors', 'training_data.cite'). */
  path: string;
  text: string;
}

// YAML 1.1 and 1.2 words a reader may turn into booleans or null.
const RESERVED = /^(true|false|yes|no|on|off|y|n|null|~)$/i;
const PLAIN = /^[A-Za-z_][A-Za-z0-9_./@+-]*( [A-Za-z0-9_./@()+-]+)*$/;

function scalar(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`YAML: ${v} is not a finite number.`);
    return Object.is(v, -0) ? '0' : String(v);
  }
  if (PLAIN.test(v) && !RESERVED.test(v) && !/^[0-9.+-]/.test(v)) return v;
  return JSON.stringify(v);
}

function isScalar(v: YamlValue): v is string | number | boolean | null {
  return v === null || typeof v !== 'object';
}

function key(k: string): string {
  return PLAIN.test(k) && !RESERVED.test(k) ? k : JSON.stringify(k);
}

function emit(v: YamlValue, indent: string, path: string, comments: Map<string, string>, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      if (isScalar(item)) out.push(`${indent}- ${scalar(item)}`);
      else if (Array.isArray(item) ? item.length === 0 : Object.keys(item).length === 0) out.push(`${indent}- ${Array.isArray(item) ? '[]' : '{}'}`);
      else {
        // The first line of a nested block goes on the dash's line.
        const inner: string[] = [];
        emit(item, indent + '  ', path, comments, inner);
        out.push(`${indent}- ${inner[0].slice(indent.length + 2)}`, ...inner.slice(1));
      }
    }
    return;
  }
  if (isScalar(v)) {
    out.push(indent + scalar(v));
    return;
  }
  for (const [k, val] of Object.entries(v)) {
    if (val === undefined) continue;
    const p = path ? `${path}.${k}` : k;
    const c = comments.get(p);
    if (c) for (const line of c.split('\n')) out.push(`${indent}# ${line}`);
    if (isScalar(val)) out.push(`${indent}${key(k)}: ${scalar(val)}`);
    else if (Array.isArray(val) ? val.length === 0 : Object.keys(val).length === 0) out.push(`${indent}${key(k)}: ${Array.isArray(val) ? '[]' : '{}'}`);
    else {
      out.push(`${indent}${key(k)}:`);
      emit(val, indent + '  ', p, comments, out);
    }
  }
}

/** YAML text for `value` (a mapping at the top), with `header` lines as comments first. */
export function toYaml(value: { [key: string]: YamlValue | undefined }, o: { header?: string; comments?: YamlComment[] } = {}): string {
  const out: string[] = [];
  if (o.header) for (const line of o.header.split('\n')) out.push(`# ${line}`.trimEnd());
  emit(value, '', '', new Map((o.comments ?? []).map((c) => [c.path, c.text])), out);
  return out.join('\n') + '\n';
}
