// A label image as objects: every 4-connected region of one class (the background excepted) is one
// object, traced to polygons (trace.ts) and run-length encoded (rle.ts). Unlabelled pixels (IGNORE)
// form objects too, of the pseudo-class IGNORE_CLASS ("Ignore*", QuPath's name for regions to
// leave out), so that the unlabelled parts of an edited mask survive a trip through QuPath or CVAT.
// 4-connectivity makes each object one polygon whose rings touch at most at single points: two
// nuclei touching only at a corner are two objects (8-connectivity would make them one polygon
// crossing itself there). The background is what no object covers, so it is not written.
import { backgroundId } from '../classes.ts';
import type { ClassTable } from '../classes.ts';
import { labelComponents } from '../audit/components.ts';
import { IGNORE, MAX_CLASSES } from '../types.ts';
import type { LabelMap } from '../types.ts';
import { traceComponent } from './trace.ts';
import type { RegionPolygon } from './trace.ts';

/** The class name of unlabelled regions in GeoJSON and COCO files (QuPath's "Ignore*" class). */
export const IGNORE_CLASS = 'Ignore*';
// Unused by any class (ids < MAX_CLASSES): stands for IGNORE so that unlabelled regions form components.
const UNLABELLED = MAX_CLASSES;

export interface LabelObject {
  /** Class id, or IGNORE for an unlabelled region. */
  classId: number;
  /** Pixels in the object. */
  area: number;
  /** Inclusive pixel bounds [x0, y0, x1, y1]. */
  box: [number, number, number, number];
  polygons: RegionPolygon[];
  /** Row-major indices of its pixels are those where `member(i)` is true. */
  member: (i: number) => boolean;
}

export function labelObjects(labels: LabelMap, table: ClassTable, o: { polygons?: boolean } = {}): LabelObject[] {
  const { width: w, height: h } = labels;
  const data = Uint8Array.from(labels.data, (v) => (v === IGNORE ? UNLABELLED : v));
  const c = labelComponents({ width: w, height: h, data }, { connectivity: 4, skip: [backgroundId(table)] });
  const boxes = new Int32Array((c.count + 1) * 4);
  for (let id = 1; id <= c.count; id++) boxes.set([w, h, -1, -1], id * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const id = c.labels[y * w + x];
      if (id === 0) continue;
      const b = id * 4;
      if (x < boxes[b]) boxes[b] = x;
      if (y < boxes[b + 1]) boxes[b + 1] = y;
      if (x > boxes[b + 2]) boxes[b + 2] = x;
      if (y > boxes[b + 3]) boxes[b + 3] = y;
    }
  const out: LabelObject[] = [];
  for (let id = 1; id <= c.count; id++) {
    const box: [number, number, number, number] = [boxes[id * 4], boxes[id * 4 + 1], boxes[id * 4 + 2], boxes[id * 4 + 3]];
    const v = c.value[id];
    out.push({
      classId: v === UNLABELLED ? IGNORE : v,
      area: c.size[id],
      box,
      polygons: o.polygons === false ? [] : traceComponent(c, id, box),
      member: (i) => c.labels[i] === id,
    });
  }
  return out;
}
