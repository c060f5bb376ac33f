// Run the real `seglens` command (bin/seglens.js, as `npx seglens` does) in a child process.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './paths.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function seglens(args: string[], cwd = REPO): Promise<CliResult> {
  return new Promise((resolveP, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'bin', 'seglens.js'), ...args], { cwd, env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolveP({ code: code ?? -1, stdout, stderr }));
  });
}

export function json<T = any>(r: CliResult): T { // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout.slice(0, 2000)}\nstderr:\n${r.stderr.slice(0, 2000)}`);
  }
}
