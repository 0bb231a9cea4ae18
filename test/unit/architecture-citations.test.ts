import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Code comments cite docs/ARCHITECTURE.md by section (`ARCHITECTURE.md, "The engine"`), never
// design notes outside the repository: a newcomer must find every reference inside the project.
// This keeps the citations true when a section is renamed.

const root = path.resolve(import.meta.dirname, '../..');
const sources = execFileSync('git', ['ls-files', '*.ts', '*.tsx', '*.js', '*.mjs', '*.cjs', '*.css'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter(Boolean)
  .filter((f) => fs.existsSync(path.join(root, f)));
const headings = new Set(
  fs
    .readFileSync(path.join(root, 'docs/ARCHITECTURE.md'), 'utf8')
    .split('\n')
    .filter((l) => /^#{2,3} /.test(l))
    .map((l) => l.replace(/^#+ /, '').trim()),
);

describe('citations in code comments', () => {
  it('name sections that exist in docs/ARCHITECTURE.md', () => {
    const broken: string[] = [];
    for (const f of sources) {
      const text = fs.readFileSync(path.join(root, f), 'utf8');
      for (const m of text.matchAll(/ARCHITECTURE\.md, "([^"]+)"/g)) if (!headings.has(m[1]!)) broken.push(`${f}: "${m[1]}"`);
    }
    expect(broken).toEqual([]);
  });

  it('do not point at the design notes outside the repository', () => {
    const outside = sources.filter((f) => /DESIGN(\.md)? §\d|shared\/DESIGN\.md/.test(fs.readFileSync(path.join(root, f), 'utf8')));
    expect(outside).toEqual([]);
  });
});
