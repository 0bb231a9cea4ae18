// Bundles the `kiln` command to plain JavaScript (npm run build:cli; also `prepack`), so the
// package's bin works where Node refuses to strip types: inside node_modules, which is where a
// global or packed install puts it. One ESM file, out/cli/kiln.mjs; npm packages stay external and
// resolve from the installed package's node_modules (native `sharp` must).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

await build({
  // The MP4 tag worker is a script of its own beside kiln.mjs: the vault forks it
  // (electron/backend/vault/mp4-tag-child.ts finds it next to the bundle).
  entryPoints: { kiln: 'electron/cli/main.ts', 'mp4-tag-worker': 'electron/backend/vault/mp4-tag-worker.ts' },
  outdir: 'out/cli',
  outExtension: { '.js': '.mjs' },
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  packages: 'external',
  sourcemap: false,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  // ESM output has no require(); a few bundled CJS helpers may still call it.
  banner: { js: "import { createRequire as __kilnCreateRequire } from 'node:module'; const require = __kilnCreateRequire(import.meta.url);" },
});
