import { LIMITS } from '../limits.ts';
import { countAlternatives, expandAlternatives } from './alternatives.ts';
import { BatchInputError } from './table.ts';

// A batch's whole fan-out (issue 14, Batch), computed before anything is sent: rows (prompt lines
// or CSV rows) × `{a|b}` alternatives × a seed sweep × an X/Y grid over two inputs. Pure; the count
// is known (and refused over LIMITS.groupMembers) before the inputs are built, and the dialog shows
// the same count and its estimate before Start.

export type SeedSweep = { mode: 'none' } | { mode: 'count'; count: number; start: number } | { mode: 'range'; from: number; to: number };

export interface GridAxis {
  field: string;
  values: unknown[];
}

export interface BatchSpec {
  /** The composer's values: every member starts from them. */
  base: Record<string, unknown>;
  /** One partial input per row (a prompt line is `{prompt: line}`); empty = the composer's input once. */
  rows: Record<string, unknown>[];
  /** The text field whose `{a|b}` alternatives are expanded (the prompt), if any. */
  promptField: string | null;
  /** The seed input's name, when the model has one. */
  seedField: string | null;
  seeds: SeedSweep;
  x?: GridAxis | null;
  y?: GridAxis | null;
}

export interface BatchMember {
  input: Record<string, unknown>;
  /** What sets this member apart, for its tile in the stack ("seed 3 · steps 20"). */
  label: string;
}

const MAX_SEED = 2 ** 31 - 1;

export function seedList(s: SeedSweep): number[] {
  if (s.mode === 'none') return [];
  if (s.mode === 'count') {
    if (!Number.isInteger(s.count) || s.count < 1) throw new BatchInputError('The number of seeds must be a whole number of at least 1.');
    if (s.count > LIMITS.groupMembers) throw new BatchInputError(`${s.count} seeds is more than a batch holds (${LIMITS.groupMembers} runs, groupMembers).`);
    return Array.from({ length: s.count }, (_, i) => (s.start + i) % (MAX_SEED + 1));
  }
  if (!Number.isInteger(s.from) || !Number.isInteger(s.to) || s.from < 0 || s.to < s.from)
    throw new BatchInputError('A seed range needs two whole numbers, the first not above the second (e.g. 1 to 8).');
  const n = s.to - s.from + 1;
  if (n > LIMITS.groupMembers)
    throw new BatchInputError(`Seeds ${s.from} to ${s.to} are ${n} runs; a batch holds at most ${LIMITS.groupMembers} (groupMembers).`);
  return Array.from({ length: n }, (_, i) => s.from + i);
}

/** "1, 2, 3" or one value per line → values typed as the input's kind. */
export function parseAxisValues(text: string, kind: string): unknown[] {
  const parts = text
    .split(/[,\n]/)
    .map((p) => p.trim())
    .filter(Boolean);
  return parts.map((p) => {
    if (kind === 'integer' || kind === 'number') {
      const n = Number(p);
      if (!Number.isFinite(n) || (kind === 'integer' && !Number.isInteger(n)))
        throw new BatchInputError(`"${p}" is not ${kind === 'integer' ? 'a whole number' : 'a number'}.`);
      return n;
    }
    if (kind === 'boolean') return /^(true|yes|1)$/i.test(p);
    return p;
  });
}

const rowsOf = (spec: BatchSpec) => (spec.rows.length ? spec.rows : [{}]);

function promptOf(spec: BatchSpec, row: Record<string, unknown>): string | null {
  if (!spec.promptField) return null;
  const v = row[spec.promptField] ?? spec.base[spec.promptField];
  return typeof v === 'string' ? v : null;
}

/** How many runs the batch makes (no input is built). */
export function countBatch(spec: BatchSpec): number {
  const seeds = spec.seedField ? Math.max(1, seedList(spec.seeds).length) : 1;
  const grid = Math.max(1, spec.x?.values.length ?? 0) * Math.max(1, spec.y?.values.length ?? 0);
  let prompts = 0;
  for (const row of rowsOf(spec)) {
    const p = promptOf(spec, row);
    prompts += p === null ? 1 : countAlternatives(p);
    if (!Number.isFinite(prompts)) return Infinity;
  }
  return prompts * seeds * grid;
}

/** Every member's input, in order: rows, then alternatives, then the grid, then seeds. */
export function planBatch(spec: BatchSpec): BatchMember[] {
  const total = countBatch(spec);
  if (total > LIMITS.groupMembers)
    throw new BatchInputError(
      `This batch would make ${Number.isFinite(total) ? total : 'too many'} runs; a batch holds at most ${LIMITS.groupMembers} (groupMembers). Use fewer rows, alternatives, seeds or grid values.`,
    );
  const seeds = spec.seedField ? seedList(spec.seeds) : [];
  const xs = spec.x?.values.length ? spec.x.values : [undefined];
  const ys = spec.y?.values.length ? spec.y.values : [undefined];
  const out: BatchMember[] = [];
  for (const row of rowsOf(spec)) {
    const p = promptOf(spec, row);
    const prompts = p === null ? [null] : expandAlternatives(p);
    for (const prompt of prompts) {
      for (const yv of ys) {
        for (const xv of xs) {
          for (const seed of seeds.length ? seeds : [undefined]) {
            const input: Record<string, unknown> = { ...spec.base, ...row };
            const label: string[] = [];
            if (prompt !== null && spec.promptField) input[spec.promptField] = prompt;
            if (xv !== undefined && spec.x) {
              input[spec.x.field] = xv;
              label.push(`${spec.x.field} ${String(xv)}`);
            }
            if (yv !== undefined && spec.y) {
              input[spec.y.field] = yv;
              label.push(`${spec.y.field} ${String(yv)}`);
            }
            if (seed !== undefined && spec.seedField) {
              input[spec.seedField] = seed;
              label.push(`seed ${seed}`);
            }
            out.push({ input, label: label.join(' · ') });
          }
        }
      }
    }
  }
  return out;
}
