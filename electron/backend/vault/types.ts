import type { Trash } from './trash.ts';
import type { PredictionRecord } from '../records/types.ts';

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

export interface StorageUsage {
  byKind: Record<string, { files: number; bytes: number }>;
  thumbnails: { files: number; bytes: number };
  database: number;
  dataDir: string;
}

/**
 * What the IPC handlers need beyond the engine's use of the vault. Kept separate from MediaVault so
 * a fake vault in engine tests does not have to implement it; createVault returns both.
 */
export interface VaultAdmin {
  /** Marks outputs whose files were deleted outside the app as `missing`. Returns how many. */
  checkFiles(predictionId: string): number;
  /** Fetches outputs again (missing / failed / not yet saved) while the provider still has them. */
  redownload(predictionId: string): Promise<void>;
  /** Deletes rows and files together; kept as "Recently deleted" (30 days) so undo can restore both. */
  deletePredictions(ids: string[]): { undoToken: string; deleted: number; skippedFavourites: number; ids: string[] };
  undoDelete(undoToken: string): { restored: number; ids: string[] };
  /** "Recently deleted": what is kept, restore and delete-forever per run (vault/trash.ts). */
  recentlyDeleted?: Pick<Trash, 'list' | 'undo' | 'purge'>;
  usage(): Promise<StorageUsage>;
  /** Keeps a video output's poster frame, decoded by the renderer (vault/poster.ts), as its thumbnail. */
  savePoster?(id: string, index: number, bytes: Uint8Array): Promise<{ thumbPath: string }>;
  /** `thumbnails`: every thumbnail (they are rebuilt on demand by a redownload); `unsaved`: temp files and files no prediction references. */
  clear(what: 'thumbnails' | 'unsaved'): Promise<{ freedBytes: number }>;
}

export type MediaVaultFull = MediaVault & VaultAdmin;

export function hasVaultAdmin(v: MediaVault): v is MediaVaultFull {
  return typeof (v as Partial<VaultAdmin>).deletePredictions === 'function';
}
