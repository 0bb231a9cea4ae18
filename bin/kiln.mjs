#!/usr/bin/env -S node --max-semi-space-size=8
// The package's `kiln` bin. Installed (npm pack / npm install -g), it runs the built bundle
// out/cli/kiln.mjs (`npm run build:cli`, run by `prepack`): Node does not strip types inside
// node_modules. In a source checkout without a build it runs the TypeScript directly.
// --max-semi-space-size=8: see docs/DECISIONS.md (V8's default young generation on a big machine
// costs ~100 MB of RSS for nothing here).
// The Node check comes first and must parse on old Node: plain code, dynamic import only.
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`kiln needs Node.js 22.18 or newer (Node 24 recommended); this is Node ${process.versions.node}.\n`);
  process.exit(1);
}
const built = new URL('../out/cli/kiln.mjs', import.meta.url);
await import(existsSync(built) ? built.href : new URL('../electron/cli/main.ts', import.meta.url).href);
