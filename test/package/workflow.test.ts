// The CI workflow for a hosted runner (.github/workflows/package.yml) cannot run here: it is
// checked against GitHub's workflow schema (action-validator, the schema SchemaStore publishes),
// which must also reject a broken copy, and for what issue 14 asks of it: packages built on
// Linux, macOS and Windows with this repository's own script, and the Electron end-to-end test run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/paths.ts';

const FILE = join(REPO, '.github', 'workflows', 'package.yml');
const text = readFileSync(FILE, 'utf8');

describe('the packaging workflow', () => {
  it('is a valid GitHub Actions workflow, and a broken copy is not', () => {
    expect(validateWorkflow(text).errors).toEqual([]);
    expect(validateWorkflow(text.replace('runs-on:', 'runs-onn:')).errors.length).toBeGreaterThan(0);
    expect(validateWorkflow(text.replace('steps:', 'stepz:')).errors.length).toBeGreaterThan(0);
  });

  it('builds on Linux, macOS and Windows with npm run package, and runs the Electron end-to-end test', () => {
    for (const os of ['ubuntu-', 'macos-', 'windows-']) expect(text).toContain(`- os: ${os}`);
    expect(text).toMatch(/run: npm ci\b/);
    expect(text).toMatch(/run: npm run package -- \$\{\{ matrix\.targets \}\}/);
    expect(text).toMatch(/npx vitest run test\/e2e\/electron\.test\.ts/);
    // Every script it names exists in package.json, and the test files it runs exist.
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const [, script] of text.matchAll(/npm run (\S+)/g)) expect(pkg.scripts, script).toHaveProperty([script]);
    for (const [, file] of text.matchAll(/(test\/\S+\.test\.ts)/g)) expect(() => readFileSync(join(REPO, file)), file).not.toThrow();
  });
});
