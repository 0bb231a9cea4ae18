import fs from 'node:fs';
import path from 'node:path';
import { KilnError } from '../../shared/ipc.ts';
import type { Backend } from '../backend/index.ts';
import type { InputValue } from './args.ts';

// `-i key=value` and `-i image=@file` into a run's input. A file is checked here, with the path the
// user typed in the message, so a typo never surfaces as a raw ENOENT or as the vault's temp path.

export async function buildInput(backend: Backend, inputs: [string, InputValue][]): Promise<Record<string, unknown>> {
  const input: Record<string, unknown> = {};
  for (const [key, v] of inputs) {
    if (!('file' in v)) {
      input[key] = v.value;
      continue;
    }
    const abs = path.resolve(v.file);
    const problem = unreadable(abs);
    if (problem) throw new KilnError({ code: 'invalid_input', message: `-i ${key}=@${v.file}: ${problem}` });
    try {
      input[key] = (await backend.services.vault.stageInputFromPath(abs)).ref;
    } catch (err) {
      // The vault's own message may name its staging folder; the user needs their path and the reason.
      const reason = err instanceof KilnError ? err.message : describeFsError(err);
      throw new KilnError({ code: err instanceof KilnError ? err.code : 'invalid_input', message: `-i ${key}=@${v.file}: ${reason}` });
    }
  }
  return input;
}

function unreadable(abs: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (err) {
    return describeFsError(err, abs);
  }
  if (st.isDirectory()) return `${abs} is a folder, not a file.`;
  if (!st.isFile()) return `${abs} is not a regular file.`;
  try {
    fs.accessSync(abs, fs.constants.R_OK);
  } catch (err) {
    return describeFsError(err, abs);
  }
  return null;
}

function describeFsError(err: unknown, abs?: string): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  const what = abs ?? 'the file';
  if (code === 'ENOENT') return `no such file: ${what}`;
  if (code === 'EACCES' || code === 'EPERM') return `permission denied reading ${what}`;
  if (code === 'ENOTDIR') return `a part of ${what} is not a folder`;
  return `cannot read ${what}${code ? ` (${code})` : ''}`;
}
