// Where seglens keeps per-user files: $SEGLENS_HOME, else ~/.local/share/seglens (XDG data home
// when set). The demo project lives in <home>/demo so that `npm start` on a fresh machine finds
// (or makes) it without asking.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function seglensHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SEGLENS_HOME) return resolve(env.SEGLENS_HOME);
  const data = env.XDG_DATA_HOME ? resolve(env.XDG_DATA_HOME) : join(homedir(), '.local', 'share');
  return join(data, 'seglens');
}

export function demoDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(seglensHome(env), 'demo');
}
