// Browser mode's process, started by `seglens serve` and `seglens start` through entry.ts (src/cli
// launches it as its own process: the CLI layer does not import the web layer). Opens the project (or the
// demo), starts the server, prints the URL with the token, and stops cleanly on Ctrl-C.
import { parseArgs } from 'node:util';
import { Workspace } from '../app/workspace.ts';
import { startServer } from './server.ts';

export interface ServeArgs {
  project?: string;
  demo: boolean;
  port: number;
  host?: string;
  /** Printed before the URL, e.g. why browser mode was chosen. */
  note?: string;
}

export function parseServeArgs(argv: string[]): ServeArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { port: { type: 'string' }, host: { type: 'string' }, demo: { type: 'boolean' }, note: { type: 'string' } },
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a whole number from 0 to 65535, not "${values.port}".`);
  return { project: positionals[0], demo: values.demo ?? false, port, ...(values.host ? { host: values.host } : {}), ...(values.note ? { note: values.note } : {}) };
}

export async function serve(a: ServeArgs): Promise<void> {
  const running = await startServer({ port: a.port, ...(a.host ? { host: a.host } : {}), engine: (emit) => new Workspace({ emit }) });
  const ws = running.engine as Workspace;
  try {
    if (a.project) await ws.openProject({ dir: a.project });
    else if (a.demo) {
      const d = await ws.openDemo();
      if (d.generated) console.log(`Generated the demo project in ${d.project.dir}.`);
    }
  } catch (e) {
    await running.close();
    throw e;
  }
  const info = await ws.appInfo();
  if (a.note) console.log(a.note);
  if (running.exposed) {
    console.warn(
      `WARNING: listening on ${running.host}, not only on this computer. Anyone who can reach port ${running.port} and learns the token can read the project's images and masks and start training. Use --host only on a network you trust.`,
    );
  }
  console.log(info.project ? `Serving ${info.project.dir}` : 'Serving seglens (no project open yet: open one or the demo in the page).');
  if (info.project?.readOnly) console.log(`Read-only: ${info.project.readOnly}`);
  console.log(`Open in a browser:\n  ${running.url}\n(The address carries this launch's access token. Ctrl-C stops the server.)`);
  // Issue 14 (launch to first image): while the browser loads the page, not when it asks for an image.
  if (info.project) ws.preloadDecoder();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping (saving training checkpoints)...');
    try {
      await running.close();
      process.exit(0);
    } catch (e) {
      console.error(`seglens serve: stopped with an error: ${(e as Error).message}`);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}
