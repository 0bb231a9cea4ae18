import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// The renderer is a static bundle loaded from file:// in Electron and from the browser-mode server,
// hence base './' (relative asset URLs work under both).
export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./out/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2024',
    sourcemap: false,
    // One local bundle (zod + React + markdown); nothing is downloaded over a network, so splitting buys little.
    chunkSizeWarningLimit: 1000,
  },
  server: { host: '127.0.0.1' },
});
