// Bundles the Electron side with esbuild (npm run build:electron):
//  - main    → out/main/index.js   (ESM, like the package; `electron` and npm packages stay external
//                                    and are loaded from node_modules / the asar at run time, which
//                                    matters for native `sharp` and ESM-only `electron-store`)
//  - preload → out/preload/index.cjs (ONE self-contained CJS file: sandboxed preloads can only
//                                    `require('electron')`, not other modules or ESM)
// Why not electron-vite: the renderer already has a plain Vite build; two small esbuild calls are
// easier to read than a second build framework.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const production = process.env.NODE_ENV !== 'development';
const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  sourcemap: production ? false : 'inline',
  logLevel: 'info',
  absWorkingDir: root,
  define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
};

await Promise.all([
  build({
    ...common,
    // The MP4 tag worker is a script of its own beside index.js: the vault forks it
    // (electron/backend/vault/mp4-tag-child.ts finds it next to the bundle).
    entryPoints: { index: 'electron/main/index.ts', 'mp4-tag-worker': 'electron/backend/vault/mp4-tag-worker.ts' },
    outdir: 'out/main',
    format: 'esm',
    packages: 'external',
    external: ['electron'],
    // ESM output has no require(); a few bundled CJS helpers may still call it.
    banner: { js: "import { createRequire as __kilnCreateRequire } from 'node:module'; const require = __kilnCreateRequire(import.meta.url);" },
  }),
  build({
    ...common,
    entryPoints: ['electron/preload/index.ts'],
    outfile: 'out/preload/index.cjs',
    format: 'cjs',
    external: ['electron'],
    // The contract's zod schemas come along with the channel lists; minified they are ~1/3 the size.
    minify: production,
  }),
]);
