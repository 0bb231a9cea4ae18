import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { ESLint } from 'eslint';

// The lint rule that keeps `electron` out of the backend (eslint.config.js) must really be in
// force: this lints probe sources *as if* they lived in the backend (lintText with a filePath, so
// no file is created in the shared checkout) and expects the error. If someone removes or loosens
// the rule, this test fails.
const root = path.resolve(import.meta.dirname, '../..');

async function restrictedImportErrors(rel: string, source: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(source, { filePath: path.join(root, rel) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const ELECTRON = "import { app } from 'electron';\nexport const x = app;\n";

// The first lint loads ESLint's config and its TypeScript parser: seconds on a busy 2-core CI
// machine, past the unit project's 5 s default (it timed out there once), so these get a minute.
describe('Electron import boundary', { timeout: 60_000 }, () => {
  it('rejects `electron` and `electron-store` in the backend', async () => {
    const errors = await restrictedImportErrors(
      'electron/backend/engine/probe.ts',
      "import { app } from 'electron';\nimport Store from 'electron-store';\nexport const x = [app, Store];\n",
    );
    expect(errors.some((m) => m.includes("'electron'"))).toBe(true);
    expect(errors.some((m) => m.includes("'electron-store'"))).toBe(true);
  });

  it('rejects `electron` in browser mode, the CLI, shared/ and the renderer (and node: in the renderer)', async () => {
    for (const rel of ['electron/web/probe.ts', 'electron/cli/probe.ts', 'shared/probe.ts', 'renderer/src/probe.ts', 'electron/main/sender-check-probe.ts']) {
      expect((await restrictedImportErrors(rel, ELECTRON)).length, rel).toBeGreaterThan(0);
    }
    expect((await restrictedImportErrors('renderer/src/probe.ts', "import fs from 'node:fs';\nexport const x = fs;\n")).length).toBeGreaterThan(0);
  });

  it('allows it in the composition root, platform adapters and the preload', async () => {
    for (const rel of ['electron/main/index.ts', 'electron/main/platform/probe.ts', 'electron/preload/probe.ts']) {
      expect(await restrictedImportErrors(rel, ELECTRON), rel).toEqual([]);
    }
  });
});
