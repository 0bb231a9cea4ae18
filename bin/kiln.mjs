#!/usr/bin/env -S node --max-semi-space-size=8
// The package's `kiln` bin: the CLI is TypeScript run by Node's type stripping (Node >= 22.18).
// --max-semi-space-size=8: see docs/DECISIONS.md (V8's default young generation on a big machine
// costs ~100 MB of RSS for nothing here).
await import('../electron/cli/main.ts');
