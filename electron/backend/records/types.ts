import type { OutputKind, PredictionFilter, PredictionView, Progress } from '../../../shared/domain/prediction.ts';
import type { SaveState } from '../../../shared/domain/status.ts';
import type { ProviderId } from '../../../shared/domain/provider.ts';
import type { GroupKind } from '../../../shared/domain/prediction.ts';

// The history store's interface: the journal the engine writes (intent before create, provider id
// right after, one small write per status change) and the queries the UI reads. Implemented on
// node:sqlite in ./store.ts.

export interface ProviderUrls {
  get?: string | null;
  cancel?: string | null;
  stream?: string | null;
  web?: string | null;
}

export interface PredictionRecord {
  id: string; // Kiln's id (also the client id used to reconcile a create whose response was lost)
  /** Which provider runs it (ARCHITECTURE.md, "Storage": a `provider` column on every run). */
  provider: ProviderId;
  providerId: string | null;
  model: string; // owner/name
  version: string | null;
  /** Endpoint used to create: official model, version, or deployment. */
  target: 'model' | 'version' | 'deployment';
  input: Record<string, unknown>;
  inputSchema: Record<string, unknown> | null;
  status: string; // queued | submitting | provider status (open set)
  saveState: SaveState;
  createdAt: number; // local click time, epoch ms
  providerCreatedAt: number | null;
  startedAt: number | null;
  completedAt: number | null;
  statusSince: number;
  timeline: { status: string; at: number }[];
  logs: string; // full logs as last seen (bounded by the provider)
  progress: Progress | null;
  text: string | null;
  output: unknown; // raw provider output (URLs etc.)
  error: { code: string | null; message: string } | null;
  /** Token counts where the provider reports them (language models), for per-token prices. */
  metrics: { predictTime: number | null; totalTime: number | null; inputTokens?: number; outputTokens?: number } | null;
  urls: ProviderUrls;
  cancelAfter: string | null;
  retryOf: string | null;
  favourite: boolean;
  note: string | null;
  /** create attempts made (a create is only re-sent after reconciling). */
  submitAttempts: number;
  cancelRequested: boolean;
  dataRemoved: boolean;
  /** User-facing organisation (additive; always present on records read from the store). */
  tags?: string[];
  userNotes?: string | null;
  /** The seed it ran with: from the input, else reported by the model (logs, result). Issue 14. */
  seed?: number | null;
  /** Ready for later: Replicate does not report a per-prediction cost yet. */
  cost?: { amount: number; currency: string } | null;
  /** The batch or compare this run belongs to (ARCHITECTURE.md, "Workflows"); null when it ran alone. */
  groupId?: string | null;
  groupKind?: GroupKind | null;
  /** The member's place in its group (the order a compare's models were added in); null when alone or unknown. */
  groupIndex?: number | null;
  /** Chain (issue 14): the run whose saved output this run's input was made from; null when none. */
  sourceId?: string | null;
}

export type NewPrediction = Pick<PredictionRecord, 'id' | 'provider' | 'model' | 'version' | 'target' | 'input'> &
  Partial<Pick<PredictionRecord, 'inputSchema' | 'cancelAfter' | 'retryOf' | 'createdAt' | 'sourceId'>>;

export interface OutputRecord {
  predictionId: string;
  index: number;
  kind: OutputKind;
  state: 'pending' | 'saving' | 'saved' | 'failed' | 'expired' | 'missing';
  remoteUrl: string | null;
  path: string | null; // vault-relative
  thumbPath: string | null;
  mime: string | null;
  size: number | null;
  width: number | null;
  height: number | null;
  sha256: string | null;
  error: string | null;
  /**
   * Why the last save attempt failed (the vault's DownloadFailure), null when it did not. An output
   * whose failure is final (`gave-up`) is not tried again until the user asks for a re-download.
   */
  failure?: string | null;
  /** Save passes that failed for a retryable reason: bounds the retries of a host that never recovers. */
  attempts?: number;
}

export interface HistoryStore {
  /** Journal step 1: written before the create request. Status `queued`. */
  insertIntent(p: NewPrediction): PredictionRecord;
  /** One small write. Appends to the timeline when `status` changes. Returns the new record. */
  update(id: string, patch: Partial<Omit<PredictionRecord, 'id'>>): PredictionRecord;
  get(id: string): PredictionRecord | null;
  getByProviderId(providerId: string): PredictionRecord | null;
  /** Everything the engine must resume on start: not terminal (incl. queued/submitting). */
  listActive(): PredictionRecord[];
  /** Succeeded predictions whose outputs are not all saved yet (saving / save-failed / none). */
  listUnsaved(): PredictionRecord[];
  /**
   * Canceled by the user after a create was sent but before its answer arrived (no provider id),
   * created at or after `since`: the create may have reached the provider and must be found and
   * canceled there, even across a restart.
   */
  listCanceledBeforeCreate(since: number): PredictionRecord[];

  setOutputs(predictionId: string, outputs: Omit<OutputRecord, 'predictionId'>[]): void;
  updateOutput(predictionId: string, index: number, patch: Partial<Omit<OutputRecord, 'predictionId' | 'index'>>): void;
  getOutputs(predictionId: string): OutputRecord[];

  /** The renderer's view of one prediction (outputs, variant count, expiry included). */
  view(id: string): PredictionView | null;
  list(filter: PredictionFilter, cursor: string | null, limit: number): { items: PredictionView[]; nextCursor: string | null };
  counts(): { total: number; byStatus: Record<string, number>; favourites: number };
  close(): void;
}

/** A user file kept in the vault so a retry can re-upload it (`kiln-file:<id>` in an input). */
export interface InputFileRecord {
  id: string;
  path: string; // vault-relative
  name: string | null;
  mime: string;
  size: number;
  sha256: string | null;
  createdAt: number;
}

/** Everything stored about one prediction: what delete keeps for undo and what export writes. */
export interface PredictionSnapshot {
  record: PredictionRecord;
  outputs: OutputRecord[];
}

/**
 * What the IPC handlers, vault and export need beyond the engine's journal. Kept separate so a
 * fake HistoryStore in engine tests does not have to implement it; openHistory returns both.
 */
export interface HistoryAdmin {
  readonly dbPath: string;
  has(id: string): boolean;
  setFavourite(id: string, favourite: boolean): boolean;
  /** Deletes rows (outputs cascade) in one transaction and returns what was removed, for undo. */
  removeMany(ids: string[], opts: { skipFavourites: boolean }): { removed: PredictionSnapshot[]; skippedFavourites: number };
  /** Re-inserts snapshots (undo, import). Existing ids (or provider ids) are skipped. Returns how many went in. */
  restore(snapshots: PredictionSnapshot[]): number;
  snapshot(id: string): PredictionSnapshot | null;
  /** Ids newest-first, optionally only some (export of a selection). */
  allIds(): string[];
  addInputFile(f: InputFileRecord): void;
  getInputFile(id: string): InputFileRecord | null;
  /** Vault-relative paths of every output and thumbnail still referenced. */
  referencedPaths(): Set<string>;
  /** Forgets every thumbnail path (after the thumbnails folder was cleared). */
  clearThumbPaths(): void;
  /** Bytes used by the database files (db + WAL). */
  databaseBytes(): number;
  /** Links runs into one group (a batch or a compare); returns how many rows were linked. */
  setGroup(ids: string[], groupId: string, kind: GroupKind, index?: number | null): number;
  /**
   * Each group's members by status, counted over every member in the history (not a loaded page):
   * the newest try of each member (a retry replaces its original), and the ids of those that need a
   * retry. Groups with no member are left out.
   */
  groupProgress(groupIds: string[]): GroupProgress[];
}

export interface GroupProgress {
  groupId: string;
  kind: GroupKind | null;
  byStatus: Record<string, number>;
  /** Current tries that failed, were canceled or aborted: what "Retry failed" retries. */
  retryable: string[];
}

export type HistoryStoreFull = HistoryStore & HistoryAdmin;

export function hasAdmin(h: HistoryStore): h is HistoryStoreFull {
  return typeof (h as Partial<HistoryAdmin>).removeMany === 'function';
}
