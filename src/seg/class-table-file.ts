// Reading a class table file (`--classes FILE`). Apart from classes.ts so that the class table's
// schema and lookups, which the training step code uses, import no Node module.
import { readFile } from 'node:fs/promises';
import { parseClassTable } from './classes.ts';
import type { ClassTable } from './classes.ts';
import { ConfigError } from './errors.ts';

export async function readClassTable(file: string): Promise<ClassTable> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`Cannot read the class table ${file}: ${(e as Error).message}. Check the path given to --classes.`, { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file} is not JSON (${(e as Error).message}). The format is documented in the README under "Class table".`, { file });
  }
  return parseClassTable(json, file);
}
