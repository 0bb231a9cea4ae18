import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

/**
 * The entry (main.tsx) imports the UI's chunk (app-root.tsx) dynamically, so the backend
 * connection opens while that chunk loads. Left alone, the browser would ask for the chunk only
 * once the entry has run; these links in the page's head fetch it, and its styles, alongside the
 * entry (docs/DECISIONS.md, "First cards, second pass").
 */
function preloadUiChunk(): Plugin {
  return {
    name: 'kiln-preload-ui-chunk',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunk = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.facadeModuleId?.endsWith('/app-root.tsx'));
        if (!chunk || chunk.type !== 'chunk') return [];
        const css = [...(chunk.viteMetadata?.importedCss ?? [])];
        return [
          { tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${chunk.fileName}` }, injectTo: 'head' },
          ...css.map((href) => ({ tag: 'link', attrs: { rel: 'stylesheet', crossorigin: true, href: `./${href}` }, injectTo: 'head' as const })),
        ];
      },
    },
  };
}

// The renderer is a static bundle loaded from file:// in Electron and from the browser-mode server,
// hence base './' (relative asset URLs work under both).
export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react(), preloadUiChunk()],
  build: {
    outDir: fileURLToPath(new URL('./out/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2024',
    sourcemap: false,
    // Three chunks, all local files: the entry, the UI (app-root.tsx) and the markdown renderer.
    chunkSizeWarningLimit: 1000,
  },
  server: { host: '127.0.0.1' },
});
