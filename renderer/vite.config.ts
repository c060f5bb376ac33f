// Builds the review UI (Svelte 5 + Konva) into dist/renderer, which `seglens serve` and the
// Electron window load. Relative asset paths so the same build works from http://127.0.0.1 and
// from Electron's custom protocol. (No node: imports: the lint rule keeps renderer/ browser-only.)
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [svelte()],
  build: {
    // Relative to root (renderer/).
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    // No source maps: neither browser mode nor the Electron protocol serves them (content-types.ts).
    sourcemap: false,
    // Konva and the contract's zod schemas are the bulk; one chunk loads fastest from localhost.
    chunkSizeWarningLimit: 1500,
  },
});
