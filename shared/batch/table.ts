import { LIMITS, formatBytes } from '../limits.ts';

// What a batch is read from (issue 14, Batch): prompts pasted one per line, a .txt file of the same,
// or a CSV whose header row names the model's inputs ("prompt,seed,aspect_ratio"). Pure and bounded:
// the text is refused over LIMITS.batchFileBytes and a table over LIMITS.groupMembers rows, each
// error saying what to change. Each row becomes a partial input; the batch plan merges it over the
// composer's values.

export class BatchInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatchInputError';
  }
}

export interface BatchTable {
  /** One partial input per row, column name → value (numbers and booleans typed as the schema says). */
  rows: Record<string, unknown>[];
  /** Columns kept (they name an input of the model). */
  columns: string[];
  /** Columns the model has no input for: not sent, shown to the user. */
  ignored: string[];
}

function checkSize(text: string, what: string) {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > LIMITS.batchFileBytes)
    throw new BatchInputError(
      `${what} (${formatBytes(bytes)}) is larger than ${formatBytes(LIMITS.batchFileBytes)}, the most a batch list may be (batchFileBytes). Split it into several batches.`,
    );
}

function checkRows(n: number) {
  if (n > LIMITS.groupMembers)
    throw new BatchInputError(`The list has ${n} rows; a batch holds at most ${LIMITS.groupMembers} runs (groupMembers). Split it into several batches.`);
}

/** Prompts one per line: blank lines are skipped, each line trimmed. */
export function parsePromptLines(text: string, what = 'The list'): string[] {
  checkSize(text, what);
  const lines = text
    .split(/\r\n|\n|\r/)
    .map((l) => l.trim())
    .filter(Boolean);
  checkRows(lines.length);
  return lines;
}

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a BOM (Excel's "CSV UTF-8")
  const endRecord = () => {
    record.push(field);
    field = '';
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
    } else field += ch;
  }
  if (quoted) throw new BatchInputError('The CSV has a quoted field that is never closed (a " without its partner). Check the quotes in the file.');
  if (field !== '' || record.length) endRecord();
  return records;
}

/**
 * A CSV whose first row names inputs. `fields` are the model's input names with their kinds; a
 * column matching none (case-insensitively) is ignored and reported. A `prompt` column is required
 * unless the model has no prompt.
 */
export function parseCsvTable(text: string, fields: { name: string; kind: string }[], what = 'The CSV file'): BatchTable {
  checkSize(text, what);
  const records = parseCsvRecords(text);
  if (records.length < 2) throw new BatchInputError(`${what} needs a header row naming the inputs (e.g. "prompt,seed") and at least one row below it.`);
  const [header, ...body] = records;
  checkRows(body.length);
  const byLower = new Map(fields.map((f) => [f.name.toLowerCase(), f]));
  const cols = header!.map((h) => byLower.get(h.trim().toLowerCase()) ?? null);
  const ignored = header!
    .filter((_, i) => !cols[i])
    .map((h) => h.trim())
    .filter(Boolean);
  const columns = cols.filter((c): c is { name: string; kind: string } => !!c).map((c) => c.name);
  if (columns.length === 0)
    throw new BatchInputError(
      `${what} has no column naming an input of this model (its inputs: ${fields
        .map((f) => f.name)
        .slice(0, 12)
        .join(', ')}).`,
    );
  const rows = body.map((rec, r) => {
    const row: Record<string, unknown> = {};
    cols.forEach((f, c) => {
      if (!f) return;
      const raw = (rec[c] ?? '').trim();
      if (raw === '') return; // an empty cell keeps the composer's value
      row[f.name] = typed(raw, f.kind, `row ${r + 2}, column "${header![c]}"`);
    });
    return row;
  });
  return { rows, columns, ignored };
}

function typed(raw: string, kind: string, where: string): unknown {
  if (kind === 'integer' || kind === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n) || (kind === 'integer' && !Number.isInteger(n)))
      throw new BatchInputError(`${where}: "${raw}" is not ${kind === 'integer' ? 'a whole number' : 'a number'}.`);
    return n;
  }
  if (kind === 'boolean') {
    if (/^(true|yes|1)$/i.test(raw)) return true;
    if (/^(false|no|0)$/i.test(raw)) return false;
    throw new BatchInputError(`${where}: "${raw}" is not true or false.`);
  }
  return raw;
}
