#!/usr/bin/env node
// The package's `kiln` bin: the CLI is TypeScript run by Node's type stripping (Node >= 22.18).
await import('../electron/cli/main.ts');
