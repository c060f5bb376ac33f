// The desktop app's own command-line flags: `--project <dir>` opens a project folder, `--demo`
// opens the demo (generated on first use). Everything else on the command line belongs to
// Electron, Chromium or a test driver (--remote-debugging-port, the entry script, ...) and is
// ignored; positional arguments are never taken as a project, since a Chromium switch's value
// can look like one.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface ShellArgs {
  /** Absolute path of the project folder to open, if any. */
  project: string | null;
  demo: boolean;
}

export function parseShellArgs(argv: readonly string[], cwd: string = process.cwd()): ShellArgs {
  const { values } = parseArgs({
    args: argv.slice(1),
    strict: false,
    allowPositionals: true,
    options: { project: { type: 'string' }, demo: { type: 'boolean' } },
  });
  const project = typeof values.project === 'string' && values.project !== '' ? resolve(cwd, values.project) : null;
  return { project, demo: values.demo === true && project === null };
}
