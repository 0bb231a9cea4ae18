import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ESLint } from 'eslint';

// The arrows of the runtime map (docs/ARCHITECTURE.md) are lint zones in eslint.config.js. Each case
// lints a probe *as if* it lived in the target folder (lintText with a filePath) importing a real
// file from a forbidden folder, and expects the zone's error. Removing or loosening a zone fails
// its case; the "allowed" cases fail if a zone is drawn too wide.
const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function errors(rel: string, source: string, rule: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, rel) });
  const fatal = result!.messages.filter((m) => m.fatal);
  expect(fatal, `${rel} did not parse`).toEqual([]);
  return result!.messages.filter((m) => m.ruleId === rule).map((m) => m.message);
}
const zoneErrors = (rel: string, spec: string) => errors(rel, `import * as probe from '${spec}';\nexport const x = probe;\n`, 'import-x/no-restricted-paths');

// [probe file, import it makes, words the error must contain]
const FORBIDDEN: [string, string, string][] = [
  ['electron/main/probe.ts', '../web/security.ts', 'Hosts do not import each other'],
  ['electron/main/probe.ts', '../cli/args.ts', 'Hosts do not import each other'],
  ['electron/preload/probe.ts', '../main/sender-check.ts', 'Hosts do not import each other'],
  ['electron/web/probe.ts', '../cli/args.ts', 'Hosts do not import each other'],
  ['electron/cli/probe.ts', '../web/security.ts', 'Hosts do not import each other'],
  ['electron/backend/probe.ts', '../web/security.ts', 'The backend never imports a host'],
  ['electron/backend/engine/probe.ts', '../../cli/args.ts', 'The backend never imports a host'],
  ['electron/backend/probe.ts', '../main/sender-check.ts', 'The backend never imports a host'],
  ['shared/probe.ts', '../electron/backend/log/redact.ts', 'shared/ is the bottom layer'],
  ['shared/probe.ts', '../renderer/src/platform/electron-kiln.ts', 'shared/ is the bottom layer'],
  ['renderer/src/probe.ts', '../../electron/backend/log/redact.ts', 'The renderer imports only renderer/ and shared/'],
  ['renderer/src/probe.ts', '../../test/replicate-sim/main.ts', 'The renderer imports only renderer/ and shared/'],
  ['electron/backend/history/probe.ts', '../vault/mime.ts', 'history and vault do not import each other'],
  ['electron/backend/vault/probe.ts', '../history/rows.ts', 'history and vault do not import each other'],
  ['electron/backend/providers/replicate/probe.ts', '../../engine/engine.ts', 'Providers import nothing of the engine'],
];

const ALLOWED: [string, string][] = [
  ['electron/main/probe.ts', '../backend/log/redact.ts'],
  ['electron/web/probe.ts', '../../shared/limits.ts'],
  ['electron/backend/engine/probe.ts', '../providers/replicate/normalize.ts'],
  ['electron/backend/vault/probe.ts', '../records/types.ts'],
  ['electron/backend/transfer/probe.ts', '../vault/mime.ts'],
  ['renderer/src/probe.ts', '../../shared/limits.ts'],
];

describe('import zones (the arrows of the runtime map)', { timeout: 60_000 }, () => {
  it.each(FORBIDDEN)('%s may not import %s', async (rel, spec, words) => {
    const found = await zoneErrors(rel, spec);
    expect(
      found.some((m) => m.includes(words)),
      `${rel} → ${spec}: ${JSON.stringify(found)}`,
    ).toBe(true);
  });

  it.each(ALLOWED)('%s may import %s', async (rel, spec) => {
    expect(await zoneErrors(rel, spec)).toEqual([]);
  });
});

describe('import cycles', { timeout: 60_000 }, () => {
  // A cycle needs both files on disk (the rule follows the other file's imports), so this writes
  // two probes into a scratch folder inside the backend and removes it afterwards.
  const dir = path.join(root, 'electron/backend', `cycle-probe-${randomBytes(4).toString('hex')}`);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses a module that imports itself back through another', async () => {
    fs.mkdirSync(dir);
    const a = "import { b } from './b.ts';\nexport const a = () => b();\n";
    fs.writeFileSync(path.join(dir, 'a.ts'), a);
    fs.writeFileSync(path.join(dir, 'b.ts'), "import { a } from './a.ts';\nexport const b = () => a;\n");
    const found = await errors(path.relative(root, path.join(dir, 'a.ts')), a, 'import-x/no-cycle');
    expect(
      found.some((m) => /cycle/i.test(m)),
      JSON.stringify(found),
    ).toBe(true);
  });
});
