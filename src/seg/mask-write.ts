// Writing a LabelMap as a lossless PNG, atomically, through the caller's write gate (write-gate.ts). Without a class table the file
// holds class ids and IGNORE = 255, seglens' own encoding. With a table the user's encoding is
// kept: each class is written as its first stored value and IGNORE as the first ignore value, so a
// mask edited in seglens still reads the same in the user's other tools. Grey values up to 255
// give an 8-bit grey PNG, larger ones a 16-bit grey PNG, colour tables an 8-bit RGB PNG.
import { encodePng } from './image-encode.ts';
import { colorToInt, isColorTable, type ClassTable } from './classes.ts';
import { ConfigError, ShapeError } from './errors.ts';
import { IGNORE, type LabelMap } from './types.ts';
import type { WriteGate } from './write-gate.ts';

/** Stored value of each class id, IGNORE's value at index IGNORE; -1 for ids the table lacks. */
function storedValues(labels: LabelMap, table: ClassTable, file: string): Int32Array {
  const colour = isColorTable(table);
  const asInt = (v: number | string) => (colour ? colorToInt(String(v)) : (v as number));
  const map = new Int32Array(256).fill(-1);
  table.classes.forEach((c, id) => (map[id] = asInt(c.values[0])));
  if (table.ignore.length > 0) map[IGNORE] = asInt(table.ignore[0]);
  else if (!colour && !table.classes.some((c) => c.values.includes(255))) map[IGNORE] = 255;
  const present = new Uint8Array(256);
  for (let i = 0; i < labels.data.length; i++) present[labels.data[i]] = 1;
  for (let id = 0; id < 256; id++) {
    if (!present[id] || map[id] >= 0) continue;
    if (id === IGNORE) {
      throw new ConfigError(
        `Cannot write ${file} in the class table's encoding: it has unlabelled (ignore) pixels but the table has no "ignore" value${colour ? '' : ' and 255 belongs to a class'}.`,
        { file },
      );
    }
    throw new ShapeError(`Cannot write ${file}: class id ${id} is not in the class table (${table.classes.length} classes).`, { file });
  }
  return map;
}

export async function writeLabelMask(gate: WriteGate, file: string, labels: LabelMap, table?: ClassTable): Promise<void> {
  // Checked before encoding: a refused path costs nothing and writes nothing.
  await gate.target(file);
  const { width, height, data } = labels;
  if (data.length !== width * height) throw new ShapeError(`LabelMap has ${data.length} values for ${width} x ${height} pixels.`, { file });
  let png: Buffer;
  if (!table) {
    png = await encodePng({ data, width, height, channels: 1 });
  } else {
    const map = storedValues(labels, table, file);
    const n = data.length;
    if (isColorTable(table)) {
      const rgb = new Uint8Array(n * 3);
      for (let i = 0, j = 0; i < n; i++, j += 3) {
        const c = map[data[i]];
        rgb[j] = (c >> 16) & 255;
        rgb[j + 1] = (c >> 8) & 255;
        rgb[j + 2] = c & 255;
      }
      png = await encodePng({ data: rgb, width, height, channels: 3 });
    } else if (map.every((v) => v <= 255)) {
      const grey = new Uint8Array(n);
      for (let i = 0; i < n; i++) grey[i] = map[data[i]];
      png = await encodePng({ data: grey, width, height, channels: 1 });
    } else {
      const grey = new Uint16Array(n);
      for (let i = 0; i < n; i++) grey[i] = map[data[i]];
      png = await encodePng({ data: grey, width, height, channels: 1 });
    }
  }
  await gate.writeFile(file, png);
}
