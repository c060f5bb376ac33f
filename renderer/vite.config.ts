// Builds the review UI (Svelte 5 + Konva) into dist/renderer, which `seglens serve` and the
// Electron window load. Relative asset paths so the same build works from http://127.0.0.1 and
// from Electron's custom protocol. (No node: imports: the lint rule keeps renderer/ browser-only.)
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';

/**
 * The app's code (src/mount.ts and what it imports: most of the script) is imported by the small
 * entry (src/main.ts) once it has made its early calls; a preload link in the page lets the browser
 * fetch and compile it (and load its styles) meanwhile, not after (issue 14, launch to first image).
 */
function preloadApp(): Plugin {
  return {
    name: 'seglens-preload-app',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunk = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && (c.facadeModuleId ?? '').endsWith('/src/mount.ts'));
        if (!chunk || chunk.type !== 'chunk') return [];
        const css = [...(chunk.viteMetadata?.importedCss ?? [])];
        return [
          { tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${chunk.fileName}` }, injectTo: 'head' },
          ...css.map((f) => ({ tag: 'link', attrs: { rel: 'stylesheet', crossorigin: true, href: `./${f}` }, injectTo: 'head' as const })),
        ];
      },
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [svelte(), preloadApp()],
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
