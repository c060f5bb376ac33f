// Lint setup. The layer rule below is the point of this file: imports point down the list of
// ../shared/GUIDE.md only (renderer -> api; electron, web -> api, app; cli -> app, train, seg;
// app -> train, seg, api; train -> seg; seg, api -> nothing of ours).
// Also: Svelte files are linted (eslint-plugin-svelte) like the rest, import cycles are errors
// (eslint-plugin-import-x's no-cycle), and sharp is loaded only by the image IO modules.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

const LAYERS = ['renderer', 'electron', 'web', 'cli', 'app', 'train', 'seg', 'api'];

/** Every layer folder a file in `layer` must not import, as no-restricted-imports patterns. */
function forbidden(layer, allowed, extra = []) {
  const banned = LAYERS.filter((l) => l !== layer && !allowed.includes(l));
  return {
    patterns: [
      ...banned.map((l) => ({
        group: [`**/${l}/**`, `**/${l}`],
        message: `Layer rule (../shared/GUIDE.md): ${layer}/ may import only ${allowed.join(', ') || 'nothing of ours'}.`,
      })),
      ...extra,
    ],
  };
}

const noTf = { group: ['@tensorflow/*'], message: 'Only src/train may use TensorFlow.js.' };
const noElectron = { group: ['electron'], message: 'Only electron/ may import Electron.' };
const noNode = {
  group: ['node:*', 'fs', 'path', 'sharp', 'child_process'],
  message: 'The renderer is browser code: it reaches files only through the contract.',
};

// One write gate (src/seg/write-gate.ts): node:fs's writing functions are imported there and in
// the atomic primitives it calls, nowhere else in src/, so every write the app makes is checked.
const FS_WRITES = ['writeFile', 'writeFileSync', 'appendFile', 'appendFileSync', 'rename', 'renameSync', 'mkdir', 'mkdirSync', 'rm', 'rmSync', 'unlink', 'unlinkSync', 'rmdir', 'rmdirSync', 'copyFile', 'copyFileSync', 'cp', 'cpSync', 'createWriteStream', 'link', 'linkSync', 'symlink', 'symlinkSync', 'truncate', 'truncateSync'];
const GATE_FILES = ['src/seg/write-gate.ts', 'src/seg/atomic.ts'];
const noDirectWrites = ['node:fs', 'node:fs/promises', 'fs', 'fs/promises'].map((name) => ({
  name,
  importNames: FS_WRITES,
  message: 'Write files through the write gate (src/seg/write-gate.ts: gate.writeFile, gate.mkdir, ...), never with node:fs directly.',
}));

const layerRule = (files, layer, allowed, extra, paths = files.some((f) => f.startsWith('src/')) ? noDirectWrites : []) => ({
  files,
  ignores: paths.length ? GATE_FILES : [],
  rules: { 'no-restricted-imports': ['error', { ...forbidden(layer, allowed, extra), paths }] },
});

// The step code of src/train (model, losses, optimizer, batches, tiled prediction, the compute
// protocol and the GPU kernels) runs in Node and in a browser worker alike (issue 10): no Node
// module. The compute worker's browser bundle (npm run build:compute, part of npm test) checks the
// same for everything these files reach.
const PORTABLE_TRAIN = [
  'src/train/tf.ts',
  'src/train/model/**',
  'src/train/losses/**',
  'src/train/data/**',
  'src/train/compute/**',
  'src/train/predict/tiled.ts',
  'src/train/predict/blend.ts',
  'src/train/trainer/step.ts',
  'src/train/trainer/optimizer.ts',
  'src/train/trainer/config.ts',
  'src/train/backend/gpu-kernels/**',
  'src/train/backend/gpu-adapter.ts',
];
const NODE_ONLY_IN_PORTABLE = ['src/train/compute/node-ports.ts', 'src/train/compute/bundle.mjs'];
const noNodeInStep = {
  group: ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'worker_threads', 'module', 'url', 'crypto', 'sharp', 'ws'],
  message: 'Step code of src/train runs in a browser worker too (issue 10): no Node module here; put Node-only code beside it (e.g. compute/node-ports.ts).',
};

// sharp (libvips) only where images are read and written: src/seg/sharp.ts loads it, image-io.ts
// reads and image-encode.ts writes through it. Everything else calls their functions, so the
// decoding rules (limits, depth, pages, error messages) live in one place and `seglens --help`
// does not load libvips. Tests and benchmarks may use it to make and check files.
const IMAGE_IO = ['src/seg/sharp.ts', 'src/seg/image-io.ts', 'src/seg/image-encode.ts'];
const SHARP_MESSAGE = 'sharp is used only by the image IO modules (src/seg/image-io.ts reads, src/seg/image-encode.ts writes): call their functions.';
const sharpOnlyInImageIo = {
  files: ['src/**', 'electron/**', 'renderer/**', 'bin/**', 'tools/**'],
  ignores: IMAGE_IO,
  rules: {
    'no-restricted-syntax': [
      'error',
      { selector: "ImportDeclaration[source.value='sharp']", message: SHARP_MESSAGE },
      { selector: "ImportExpression[source.value='sharp']", message: SHARP_MESSAGE },
      { selector: "CallExpression[callee.name='require'][arguments.0.value='sharp']", message: SHARP_MESSAGE },
    ],
  },
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'release/**', 'test-output/**', 'bench-output/**', '.scratch*/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    // Svelte components: TypeScript in <script lang="ts">; names are checked by svelte-check
    // (npm run check:svelte), which knows the browser's globals and the runes.
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    rules: {
      'no-undef': 'off',
      // The state classes hold big values in $state.raw and replace them whole (../shared/GUIDE.md,
      // practice 6); their Sets and Maps are private bookkeeping or values computed per call, and a
      // SvelteSet would make them deeply reactive, which is what $state.raw avoids.
      'svelte/prefer-svelte-reactivity': 'off',
      // {', '} and {' · '} keep the spaces that Svelte 5 trims at the edges of a block.
      'svelte/no-useless-mustaches': 'off',
    },
  },
  {
    // Import cycles: a module graph that loops has no defined evaluation order (a value read
    // before its module ran is undefined) and makes layers meaningless. Type-only imports are erased and
    // do not count.
    files: ['src/**/*.ts', 'electron/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.svelte'],
    plugins: { 'import-x': importX },
    settings: {
      // Without these the plugin follows only .js files and reports no cycle at all. Components
      // (.svelte) are checked for cycles through what they import, not followed themselves.
      'import-x/extensions': ['.ts', '.mjs', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.mts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.mjs', '.js', '.svelte', '.json'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  sharpOnlyInImageIo,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  layerRule(['src/api/**'], 'api', [], [noTf, noElectron]),
  layerRule(['src/seg/**'], 'seg', [], [noTf, noElectron]),
  layerRule(GATE_FILES, 'seg', [], [noTf, noElectron], []),
  layerRule(['src/train/**'], 'train', ['seg'], [noElectron]),
  { ...layerRule(PORTABLE_TRAIN, 'train', ['seg'], [noElectron, noNodeInStep]), ignores: NODE_ONLY_IN_PORTABLE },
  layerRule(['src/app/**'], 'app', ['train', 'seg', 'api'], [noElectron]),
  layerRule(['src/cli/**'], 'cli', ['app', 'train', 'seg'], [noElectron]),
  layerRule(['src/web/**'], 'web', ['api', 'app'], [noElectron, noTf]),
  layerRule(['electron/**'], 'electron', ['api', 'app'], [noTf]),
  layerRule(['renderer/**'], 'renderer', ['api'], [noTf, noElectron, noNode]),
  {
    files: ['bin/**/*.js', '*.config.*', 'eslint.config.js', '.ci/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
