// The package's cover image (bioimage.io asks for 2:1 or 1:1, under 500 kB): the test image as it
// goes into the model (normalised grey or RGB) on the left, the predicted classes over it in the
// class table's colours on the right. Small images are enlarged (nearest neighbour) to 256 pixels high.
import { encodePng } from '../../seg/image-encode.ts';
import type { ClassTable } from '../../seg/classes.ts';
import type { LabelMap } from '../../seg/types.ts';

function rgbOf(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** PNG bytes: input | overlay, side by side. `input` is interleaved 0..1 with `channels` per pixel. */
export async function coverImage(input: { width: number; height: number; channels: number; data: Float32Array }, labels: LabelMap, table: ClassTable): Promise<Buffer> {
  const { width: w, height: h, channels: c, data } = input;
  const out = new Uint8Array(2 * w * h * 3);
  const colours = table.classes.map((k) => rgbOf(k.color));
  const bg = table.classes.findIndex((k) => k.name === table.background);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const px = [0, 1, 2].map((k) => Math.round(255 * data[i * c + (c === 1 ? 0 : k)]));
      const left = (y * 2 * w + x) * 3;
      const right = (y * 2 * w + w + x) * 3;
      const id = labels.data[i];
      for (let k = 0; k < 3; k++) {
        out[left + k] = px[k];
        out[right + k] = id === bg || id >= colours.length ? px[k] : Math.round(0.45 * px[k] + 0.55 * colours[id][k]);
      }
    }
  return encodePng({ data: out, width: 2 * w, height: h, channels: 3 }, h < 256 ? { resize: { width: 512, height: 256 } } : {});
}
