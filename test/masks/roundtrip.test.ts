// Label image -> GeoJSON / COCO -> label image, pixel for pixel: objects of different classes
// touching along edges and at corners, same-class pixels touching only at a corner, holes (with an
// object of another class inside, and a background pocket that touches the outside at one corner),
// one-pixel objects, objects on the image border, unlabelled regions, random label noise, the demo's
// masks and the real masks in ../shared/data. The files go through JSON text as they would through
// a disk. GeoJSON rings are checked to be closed and simple, exteriors anticlockwise and holes
// clockwise in GeoJSON's (y up) reading (RFC 7946).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseClassTable } from '../../src/seg/classes.ts';
import type { ClassTable } from '../../src/seg/classes.ts';
import { readRawMask } from '../../src/seg/image-io.ts';
import { labelsFromRaw } from '../../src/seg/masks.ts';
import { readClassTable as readClassTableFile } from '../../src/seg/class-table-file.ts';
import { cocoStem, cocoToLabels, labelsToCoco, parseCoco } from '../../src/seg/vector/coco.ts';
import { geoJsonToLabels, labelsToGeoJson } from '../../src/seg/vector/geojson.ts';
import { classResolver } from '../../src/seg/vector/paint.ts';
import { countsFromString, countsToString, decodeRle, encodeRle } from '../../src/seg/vector/rle.ts';
import { renderDemoScene, DEMO_CLASSES } from '../../src/seg/demo/index.ts';
import { IGNORE } from '../../src/seg/types.ts';
import type { LabelMap } from '../../src/seg/types.ts';
import { DATA, TABLES, skipWithoutData } from '../helpers/paths.ts';

const TABLE: ClassTable = parseClassTable({
  classes: [
    { name: 'background', values: [0], color: '#000000' },
    { name: 'nucleus', values: [1], color: '#3cb44b' },
    { name: 'boundary', values: [2], color: '#e6194b' },
    { name: 'debris', values: [3], color: '#4363d8' },
  ],
  background: 'background',
  ignore: [255],
});

/** A label map from rows of characters: . background, n nucleus, b boundary, d debris, ? unlabelled. */
function draw(rows: string[]): LabelMap {
  const code: Record<string, number> = { '.': 0, n: 1, b: 2, d: 3, '?': IGNORE };
  const h = rows.length;
  const w = rows[0].length;
  const data = new Uint8Array(w * h);
  rows.forEach((r, y) => [...r].forEach((ch, x) => (data[y * w + x] = code[ch])));
  return { width: w, height: h, data };
}

function viaGeoJson(labels: LabelMap, table = TABLE): LabelMap {
  const text = JSON.stringify(labelsToGeoJson(labels, table, 'img'));
  checkRings(text);
  const r = geoJsonToLabels(text, 'img.geojson', labels.width, labels.height, table, classResolver(table));
  expect(r.problems).toEqual([]);
  return r.labels;
}

function viaCoco(labels: LabelMap, table = TABLE): LabelMap {
  const text = JSON.stringify(labelsToCoco([{ fileName: 'sub/img.tif', labels }], table, 'test'));
  const coco = parseCoco(text, 'annotations.json');
  const im = coco.images.find((i) => cocoStem(i.file_name) === 'img')!;
  const r = cocoToLabels(coco, im.id, 'annotations.json', labels.width, labels.height, table, classResolver(table));
  expect(r.problems).toEqual([]);
  return r.labels;
}

/** Every ring closed, without repeated vertices, exteriors anticlockwise (y up) and holes clockwise. */
function checkRings(text: string): void {
  const fc = JSON.parse(text) as { features: Array<{ geometry: { type: string; coordinates: unknown } }> };
  for (const f of fc.features) {
    const polys = (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates) as number[][][][];
    for (const rings of polys)
      rings.forEach((ring, k) => {
        expect(ring[0]).toEqual(ring.at(-1));
        const open = ring.slice(0, -1).map((p) => p.join(','));
        expect(new Set(open).size).toBe(open.length);
        let a = 0;
        for (let i = 0; i < ring.length - 1; i++) a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
        // Shoelace > 0 is anticlockwise with y up (the RFC's reading of the numbers).
        if (k === 0) expect(a).toBeGreaterThan(0);
        else expect(a).toBeLessThan(0);
      });
  }
}

const same = (a: LabelMap, b: LabelMap) => {
  expect([b.width, b.height]).toEqual([a.width, a.height]);
  let diff = 0;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) diff++;
  expect(diff).toBe(0);
};

const CASES: Record<string, string[]> = {
  'objects of different classes touching along edges and at corners': [
    'nnnbbb....',
    'nnnbbbdd..',
    'nnnbbbdd..',
    '...nnn..dd',
    '...nnn..dd',
  ],
  'same-class pixels touching only at corners (a diagonal chain, a checkerboard)': [
    'n.n.n.....',
    '.n.n......',
    'n.n.n..n..',
    '......n.n.',
    '.......n..',
  ],
  'a ring with a hole, another class inside the hole, and a pocket pinched at a corner': [
    'nnnnnnnn..',
    'n......n..',
    'n.bbbb.n..',
    'n.b..b.n..',
    'n.bddb.n..',
    'n.bbbb.n..',
    'n......n..',
    'nnnnnnn...',
    '......n...',
  ],
  'a C shape whose tips touch diagonally (the background inside meets the outside at one vertex)': [
    '..........',
    '.nnnnn....',
    '.n...n....',
    '.n...n....',
    '.nnn.n....',
    '....nn....',
    '..........',
  ],
  'one-pixel objects, on the border too': [
    'n........b',
    '..........',
    '....d.....',
    '..........',
    'b........n',
  ],
  'unlabelled regions beside and inside objects': [
    '??nnnn....',
    '??n??n..??',
    '..nnnn..??',
    '.....?....',
  ],
  'everything one class': ['nnn', 'nnn'],
  'nothing but background': ['...', '...'],
};

describe('label image -> GeoJSON / COCO -> label image is exact', () => {
  for (const [name, rows] of Object.entries(CASES)) {
    it(name, () => {
      const labels = draw(rows);
      same(labels, viaGeoJson(labels));
      same(labels, viaCoco(labels));
    });
  }

  it('gives the pinched pocket as a hole touching the exterior, and each diagonal pixel its own object', () => {
    const c = labelsToGeoJson(draw(CASES['a C shape whose tips touch diagonally (the background inside meets the outside at one vertex)']), TABLE, 'c');
    expect(c.features).toHaveLength(1);
    expect(c.features[0].geometry.type).toBe('Polygon');
    expect(c.features[0].geometry.coordinates).toHaveLength(2);
    const chain = labelsToGeoJson(draw(['n.', '.n']), TABLE, 'd');
    expect(chain.features.map((f) => f.properties.seglens.area)).toEqual([1, 1]);
    const ring = labelsToGeoJson(draw(CASES['a ring with a hole, another class inside the hole, and a pocket pinched at a corner']), TABLE, 'r');
    expect(ring.features.map((f) => f.properties.classification.name)).toEqual(['nucleus', 'boundary', 'debris']);
    expect(ring.features[0].geometry.coordinates).toHaveLength(2); // exterior + the hole
  });

  it('random label noise (4 classes and unlabelled, many tiny touching objects)', () => {
    let s = 12345;
    const r = () => (s = (s * 48271) % 2147483647) / 2147483647;
    for (const [w, h, p] of [
      [37, 23, 0.5],
      [64, 64, 0.8],
      [1, 9, 0.5],
      [13, 1, 0.7],
    ] as const) {
      const data = Uint8Array.from({ length: w * h }, () => (r() < p ? [1, 2, 3, IGNORE][Math.floor(r() * 4)] : 0));
      const labels = { width: w, height: h, data };
      same(labels, viaGeoJson(labels));
      same(labels, viaCoco(labels));
    }
  });

  it('the demo masks (touching nuclei with boundary class)', () => {
    for (const i of [0, 3]) {
      const scene = renderDemoScene(i, { seed: 1, size: 160 });
      const labels = { width: scene.width, height: scene.height, data: scene.labels };
      same(labels, viaGeoJson(labels, DEMO_CLASSES));
      same(labels, viaCoco(labels, DEMO_CLASSES));
    }
  });
});

describe.skipIf(skipWithoutData('GeoJSON/COCO round trips of the real masks'))('real masks round trip', () => {
  for (const [set, table] of [
    ['dapi16-nuclei', 'dapi16-nuclei.json'],
    ['drosophila-vnc', 'drosophila-vnc.json'],
    ['isbi2012-membranes', 'isbi2012-membranes.json'],
  ] as const) {
    it(`${set}: the first masks come back pixel for pixel`, { timeout: 120_000 }, async () => {
      const t = await readClassTableFile(join(TABLES, table));
      const dir = join(DATA, set, 'masks');
      const files = (await readdir(dir)).filter((f) => !f.startsWith('.')).sort().slice(0, 2);
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) {
        const labels = labelsFromRaw(await readRawMask(join(dir, f)), t, f).labels;
        same(labels, viaGeoJson(labels, t));
        same(labels, viaCoco(labels, t));
      }
    });
  }
});

describe('COCO run-length encoding', () => {
  it('counts are column-major, start with zeros, and the compressed string form decodes to them', () => {
    // 3 x 2 image (w 3, h 2), set pixels (0,0) and (2,1): column-major order 1 0 | 0 0 | 0 1
    const set = new Set([0, 5]);
    const counts = encodeRle((i) => set.has(i), 3, 2);
    expect(counts).toEqual([0, 1, 4, 1]);
    const got: number[] = [];
    decodeRle({ size: [2, 3], counts }, (i) => got.push(i));
    expect(got.sort()).toEqual([0, 5]);
    let s = 7;
    const r = () => (s = (s * 16807) % 2147483647) / 2147483647;
    for (let k = 0; k < 50; k++) {
      const c = Array.from({ length: 1 + Math.floor(r() * 30) }, () => Math.floor(r() * (r() < 0.2 ? 100000 : 40)));
      expect(countsFromString(countsToString(c))).toEqual(c);
    }
    expect(() => decodeRle({ size: [2, 3], counts: [1, 1] }, () => {})).toThrow(/covers 2 pixels but its size is 2 x 3/);
  });
});
