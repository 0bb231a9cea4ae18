import type { PredictionRecord } from '../history/types.ts';

// The media vault: outputs downloaded the moment a prediction succeeds, user input files kept so a
// retry works later. Implemented in ./vault.ts.

export interface StagedFile {
  ref: string; // `kiln-file:<id>`, placed in a prediction's input by the composer/CLI
  path: string; // vault-relative
  absPath: string;
  mime: string;
  size: number;
}

export interface MediaVault {
  readonly root: string;
  /** Starts (or resumes) saving a succeeded prediction's outputs; resolves when all are settled. */
  saveOutputs(rec: PredictionRecord): Promise<void>;
  stageInput(name: string, mime: string, bytes: Uint8Array): Promise<StagedFile>;
  /** Copies a local file (CLI `@path`) into the vault. */
  stageInputFromPath(absPath: string): Promise<StagedFile>;
  resolveStaged(ref: string): StagedFile | null;
  /** Absolute path for a vault-relative one, or null if it would leave the vault. */
  resolve(relPath: string): string | null;
  close(): Promise<void>;
}
