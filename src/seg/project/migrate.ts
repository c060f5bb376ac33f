// Migrations of the project file: a chain of steps, each taking version n (validated against its
// own schema) to version n+1. Old files are read, never rewritten here: saving the migrated
// project is a separate, explicit act (load.ts).
import { isColorTable } from '../classes.ts';
import { ConfigError } from '../errors.ts';
import { DEFAULT_NORMALIZATION } from '../types.ts';
import { parseOrThrow } from '../validate.ts';
import { CURRENT_VERSION, ProjectSchema, ProjectV1Schema } from './schema.ts';
import type { Project, ProjectInput, ProjectV1 } from './schema.ts';

interface Step {
  /** Validates a file of this version (errors name the field path). */
  parse(data: unknown, source: string): unknown;
  /** The same project one version later. */
  up(old: unknown): unknown;
}

const STEPS: Record<number, Step> = {
  1: {
    parse: (data, source) => parseOrThrow(ProjectV1Schema, data, `${source} (project file version 1)`),
    up: (old): ProjectInput => {
      const v1 = old as ProjectV1;
      return {
        version: 2,
        images: v1.images,
        masks: v1.masks,
        pairing: { rule: v1.pairing },
        // Version 1 knew label images and colour tables only; which one follows from the table.
        maskFormat: isColorTable(v1.classes) ? { kind: 'palette' } : { kind: 'label' },
        imagePage: 0,
        normalization: { ...DEFAULT_NORMALIZATION },
        classes: v1.classes,
      };
    },
  },
};

export interface Migrated {
  project: Project;
  /** The version the data was written in; equal to CURRENT_VERSION when nothing was migrated. */
  fromVersion: number;
}

/** Reads the version, migrates step by step to the current version and validates the result. */
export function migrateProject(data: unknown, source: string): Migrated {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError(`${source} is not a seglens project: it must be a JSON object starting with "version": ${CURRENT_VERSION}.`, { source });
  }
  const version = (data as { version?: unknown }).version;
  if (version === undefined) {
    throw new ConfigError(`${source} has no "version" field. A seglens project file starts with "version": ${CURRENT_VERSION}; run \`seglens init\` to write a new one.`, { source, field: 'version' });
  }
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new ConfigError(`${source}: "version" must be a whole number from 1 to ${CURRENT_VERSION}, not ${JSON.stringify(version)}.`, { source, field: 'version' });
  }
  if (version > CURRENT_VERSION) {
    throw new ConfigError(
      `${source} was written by a newer seglens (project file version ${version}; this seglens reads versions 1 to ${CURRENT_VERSION}). ` +
        'Update seglens to open this project; the file was left as it is.',
      { source, field: 'version', version, supported: CURRENT_VERSION },
    );
  }
  let current: unknown = data;
  for (let v = version; v < CURRENT_VERSION; v++) {
    const step = STEPS[v];
    current = step.up(step.parse(current, source));
  }
  return { project: parseOrThrow(ProjectSchema, current, source), fromVersion: version };
}
