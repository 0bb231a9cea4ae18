import { z } from 'zod';
import { Settings, SettingsPatch } from './domain/settings.ts';
import { PredictionView, PredictionChanges, PredictionFilter, GroupKind } from './domain/prediction.ts';
import { LIMITS, GROUP_PROGRESS_MAX, LIST_PAGE_MAX } from './limits.ts';
import { KILN_ERROR_CODES, type KilnErrorData as KilnErrorShape } from './kiln-error.ts';
import { ModelSummary, ModelDetail, ModelVersion } from './domain/model.ts';
import { RunInput } from './run-input.ts';
import { PROVIDER_IDS } from './domain/provider.ts';
import { PRICE_UNITS } from './domain/cost.ts';

export { messageLimit, overMessageLimit, tooLargeError } from './message-size.ts';
export { RunInput } from './run-input.ts';
export { KilnError, KILN_ERROR_CODES, type KilnErrorCode } from './kiln-error.ts';

// The one IPC contract (ARCHITECTURE.md, "The contract and its transports"). Every invoke channel (`domain:verb`) with its request and
// response schema, and every event. The three transports (Electron IPC, browser-mode WebSocket,
// in-memory fake) implement exactly this and nothing else: adding a capability means adding an
// entry here and a handler in electron/backend/ipc/handlers/, never touching a transport.

const Empty = z.object({}).strict();
const Ok = z.object({ ok: z.literal(true) });
const Id = z.object({ id: z.string().min(1).max(100) }).strict();
/** Which provider a key belongs to (shared/domain/provider.ts): each keeps its own key and state. */
const Provider = z.enum(PROVIDER_IDS);

export const SecretStatus = z.object({
  set: z.boolean(),
  last4: z.string().nullable(),
  account: z.string().nullable(),
  /** `os`: OS keychain; `basic_text`: Linux fallback, not really protected; `env`/`file`: outside Electron. */
  protection: z.enum(['os', 'basic_text', 'env', 'file', 'none']),
  /**
   * What the provider said of the key: `valid` (its account answered), `rejected` (401/403),
   * `unknown` (it could not be asked: offline), `unchecked` (not asked yet). Absent from older backends.
   */
  state: z.enum(['valid', 'rejected', 'unknown', 'unchecked']).optional(),
});
export type SecretStatus = z.infer<typeof SecretStatus>;

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.string(),
  mode: z.enum(['electron', 'web', 'memory']),
  dataDir: z.string(),
  providerBaseUrl: z.string(),
});

/** A damaged history database was replaced on open (ARCHITECTURE.md, "Storage"): what happened, shown once as a banner. */
export const RecoveryNotice = z.object({
  at: z.number(),
  /** What was wrong, e.g. "database disk image is malformed (quick_check: …)" or "history.db was empty (0 bytes)". */
  reason: z.string().max(2000),
  /** Where the damaged file now is (kept for the user, or for a repair tool). */
  movedTo: z.string().max(4000),
  recovered: z.number().int(),
  /** Runs the damaged file claimed to hold, when that could still be read. */
  total: z.number().int().nullable(),
  /** Backups taken before migrations, if any: an older but complete copy. */
  backups: z.array(z.string().max(4000)).max(20),
});
export type RecoveryNotice = z.infer<typeof RecoveryNotice>;

export const Account = z.object({ type: z.string(), username: z.string(), name: z.string().nullable() });

export const StorageUsage = z.object({
  byKind: z.record(z.string(), z.object({ files: z.number(), bytes: z.number() })),
  thumbnails: z.object({ files: z.number(), bytes: z.number() }),
  database: z.number(),
  dataDir: z.string(),
});

export { GROUP_PROGRESS_MAX, LIST_PAGE_MAX } from './limits.ts';
export const DeletedItem = z.object({
  token: z.string(),
  id: z.string(),
  model: z.string(),
  prompt: z.string().nullable(),
  status: z.string(),
  deletedAt: z.number(),
  keepUntil: z.number(),
});
export type DeletedItem = z.infer<typeof DeletedItem>;

const MediaPath = z.object({ path: z.string().min(1).max(1000) }).strict();

// ── money (ARCHITECTURE.md, "Money"; shared/domain/cost.ts holds the arithmetic) ──────────────────────────────
export const CostPrice = z.object({
  provider: z.enum(['replicate', 'fal']),
  model: z.string(),
  unit: z.enum(PRICE_UNITS),
  usd: z.number(),
  inputUsd: z.number().nullable().optional(),
  noun: z.string(),
  source: z.string(),
  tableDate: z.string().nullable(),
});
/** A run's cost: `usd` null = unknown (never shown as $0); `estimated` false = the provider's own figure or not billed. */
export const CostFigure = z.object({ usd: z.number().nullable(), estimated: z.boolean(), basis: z.string(), tableDate: z.string().nullable() });
export const BudgetState = z.object({
  dailyUsd: z.number().nullable(),
  monthlyUsd: z.number().nullable(),
  spentTodayUsd: z.number(),
  spentMonthUsd: z.number(),
  wouldCross: z.enum(['daily', 'monthly']).nullable(),
});
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-11-30');
/** The caller's offset from UTC in minutes (east positive: -new Date().getTimezoneOffset()), so days are local days. */
const UtcOffset = z
  .number()
  .int()
  .min(-14 * 60)
  .max(14 * 60)
  .default(0);
const SpendRange = z.object({ from: Day.nullable().optional(), to: Day.nullable().optional(), utcOffsetMinutes: UtcOffset }).strict();
const SpendBucket = z.object({ key: z.string(), usd: z.number(), runs: z.number(), unknownRuns: z.number() });
export const SpendSummary = z.object({
  totalUsd: z.number(),
  runs: z.number(),
  unknownRuns: z.number(),
  estimated: z.boolean(),
  byDay: z.array(SpendBucket),
  byMonth: z.array(SpendBucket),
  /** key: the provider ('replicate', 'fal'). */
  byProvider: z.array(SpendBucket),
  byModel: z.array(
    z.object({
      provider: z.enum(['replicate', 'fal']),
      model: z.string(),
      usd: z.number().nullable(),
      runs: z.number(),
      unknownRuns: z.number(),
      estimated: z.boolean(),
    }),
  ),
  budget: BudgetState,
});

export const invoke = {
  // ── app ────────────────────────────────────────────────────────────────────────────────────────
  'app:info': { req: Empty, res: AppInfo },
  /** Round-trips an `app:pong` event: proves both directions of a transport. */
  'app:ping': { req: z.object({ nonce: z.string().max(100) }).strict(), res: Ok },

  // ── settings & secrets ─────────────────────────────────────────────────────────────────────────
  'settings:get': { req: Empty, res: Settings },
  'settings:set': { req: SettingsPatch.strict(), res: Settings },
  'secrets:status': { req: z.object({ provider: Provider }).strict(), res: SecretStatus },
  'secrets:set': { req: z.object({ provider: Provider, key: z.string().trim().min(8).max(200) }).strict(), res: SecretStatus },
  'secrets:clear': { req: z.object({ provider: Provider }).strict(), res: SecretStatus },
  /** Checks the stored key against the provider's account endpoint. */
  'secrets:validate': { req: z.object({ provider: Provider }).strict(), res: Account },

  // ── models ─────────────────────────────────────────────────────────────────────────────────────
  'models:featured': { req: Empty, res: z.array(ModelSummary) },
  'models:search': { req: z.object({ query: z.string().max(200) }).strict(), res: z.array(ModelSummary) },
  'models:get': { req: z.object({ ref: z.string().min(3).max(200), version: z.string().max(100).optional() }).strict(), res: ModelDetail },
  'models:versions': { req: z.object({ ref: z.string().min(3).max(200) }).strict(), res: z.array(ModelVersion) },

  // ── predictions ────────────────────────────────────────────────────────────────────────────────
  'predictions:create': {
    req: z
      .object({
        model: z.string().min(3).max(200), // owner/name
        version: z.string().max(100).nullable().optional(),
        input: RunInput, // bounded: LIMITS.runInputBytes, LIMITS.promptChars per text field
        count: z.number().int().min(1).max(8).default(1),
        /** Chain (issue 14): the run whose saved output filled a file field of this input. */
        sourceId: z.string().max(100).nullable().optional(),
      })
      .strict(),
    res: z.object({ ids: z.array(z.string()) }),
  },
  /**
   * A batch or compare (ARCHITECTURE.md, "Workflows"): one ordinary run per member, each created as predictions:create
   * would, linked as one group. A member the provider refuses stays as a failed card with the reason
   * (`refused`); it never stops the others.
   */
  'predictions:createGroup': {
    req: z
      .object({
        kind: GroupKind.exclude(['retry']),
        members: z
          .array(z.object({ model: z.string().min(3).max(200), version: z.string().max(100).nullable().optional(), input: RunInput }).strict())
          .min(1)
          .max(LIMITS.groupMembers, `A group holds at most ${LIMITS.groupMembers} runs; split it into smaller batches.`),
      })
      .strict(),
    res: z.object({ groupId: z.string(), ids: z.array(z.string()), refused: z.record(z.string(), z.string()) }),
  },
  'predictions:list': {
    req: PredictionFilter.extend({
      cursor: z.string().max(200).nullable().optional(),
      limit: z.number().int().min(1).max(LIST_PAGE_MAX).default(100),
    }).strict(),
    res: z.object({ items: z.array(PredictionView), nextCursor: z.string().nullable() }),
  },
  'predictions:get': { req: Id, res: PredictionView },
  /**
   * Stacks (issue 14): each group's members by status over the whole history, not only the loaded
   * page — the newest try of each member, and the ids of those that need a retry. At most
   * GROUP_PROGRESS_MAX groups per call (the stacks on screen); unknown groups are left out.
   */
  'predictions:groupProgress': {
    req: z
      .object({
        groupIds: z.array(z.string().min(1).max(100)).min(1).max(GROUP_PROGRESS_MAX, `Ask for at most ${GROUP_PROGRESS_MAX} groups at a time.`),
      })
      .strict(),
    res: z.object({
      groups: z
        .array(
          z.object({
            groupId: z.string(),
            kind: GroupKind.nullable(),
            byStatus: z.record(z.string(), z.number().int()),
            retryable: z.array(z.string()).max(LIMITS.groupMembers),
          }),
        )
        .max(GROUP_PROGRESS_MAX),
    }),
  },
  'predictions:counts': { req: Empty, res: z.object({ total: z.number(), byStatus: z.record(z.string(), z.number()), favourites: z.number() }) },
  'predictions:cancel': { req: Id, res: Ok },
  /**
   * "Copy as code" (issue 14): the create request this run's provider got — public URL, headers with
   * the key as `$REPLICATE_API_TOKEN` / `$FAL_KEY` (never the key), JSON body; local files become placeholders.
   */
  'predictions:request': {
    req: Id,
    res: z.object({
      provider: z.enum(['replicate', 'fal']),
      method: z.literal('POST'),
      url: z.string(),
      headers: z.record(z.string(), z.string()),
      body: z.record(z.string(), z.unknown()),
      keyVariable: z.enum(['REPLICATE_API_TOKEN', 'FAL_KEY']),
      files: z.array(z.string()),
    }),
  },
  /** New prediction from the same model, version and input, linked to the original. */
  'predictions:retry': { req: Id, res: z.object({ id: z.string() }) },
  /** Removes rows and files; undoable with the token for a few seconds. Favourites are skipped unless named alone. */
  'predictions:delete': {
    req: z.object({ ids: z.array(z.string()).min(1).max(10_000) }).strict(),
    res: z.object({ undoToken: z.string(), deleted: z.number(), skippedFavourites: z.number() }),
  },
  'predictions:undoDelete': { req: z.object({ undoToken: z.string() }).strict(), res: z.object({ restored: z.number() }) },
  /** "Recently deleted": runs deleted in the last 30 days, kept with their files. */
  'trash:list': { req: Empty, res: z.object({ items: z.array(DeletedItem).max(100_000) }) },
  /** Puts a deleted run back in the history with its files. */
  'trash:restore': { req: z.object({ token: z.string().max(64), id: z.string().min(1).max(100) }).strict(), res: z.object({ restored: z.number() }) },
  /** Deletes a deleted run and its files for good. */
  'trash:purge': { req: z.object({ token: z.string().max(64), id: z.string().min(1).max(100) }).strict(), res: z.object({ purged: z.number() }) },
  'predictions:favourite': { req: z.object({ id: z.string(), favourite: z.boolean() }).strict(), res: Ok },
  'predictions:export': {
    req: z.object({ ids: z.array(z.string()).optional(), dest: z.string().max(1000).optional() }).strict(),
    res: z.object({ path: z.string(), count: z.number() }),
  },
  'predictions:import': { req: z.object({ path: z.string().max(1000).optional() }).strict(), res: z.object({ imported: z.number(), skipped: z.number() }) },
  /** Re-download outputs while the provider still has them (e.g. the user deleted a file). */
  'predictions:redownload': { req: Id, res: Ok },
  /** The notice of a damaged history that was salvaged on open, until dismissed; null when there is none. */
  'history:recoveryNotice': { req: Empty, res: RecoveryNotice.nullable() },
  'history:dismissRecoveryNotice': { req: Empty, res: Ok },

  // ── files & media ──────────────────────────────────────────────────────────────────────────────
  /** Keeps a user-supplied input file in the vault; the returned ref goes into the input. */
  'files:stage': {
    req: z.object({ name: z.string().max(300), mime: z.string().max(100), dataBase64: z.string().max(150_000_000) }).strict(),
    res: z.object({ ref: z.string(), path: z.string(), size: z.number() }),
  },
  'media:reveal': { req: MediaPath, res: Ok },
  'media:saveAs': { req: MediaPath, res: z.object({ saved: z.boolean(), path: z.string().nullable() }) },
  'media:copyImage': { req: MediaPath, res: Ok },
  'media:openDefault': { req: MediaPath, res: Ok },
  /**
   * A saved video output's poster frame, decoded in the renderer (the backend has no video decoder):
   * JPEG or WebP, at most LIMITS.posterBytes, kept as that output's thumbnail (thumbPath).
   */
  'media:poster': {
    req: z
      .object({ id: z.string().min(1).max(100), index: z.number().int().min(0).max(10_000), dataBase64: z.string().max(Math.ceil(LIMITS.posterBytes / 3) * 4) })
      .strict(),
    res: z.object({ thumbPath: z.string() }),
  },
  /** Opens an https: link in the system browser (anything else is refused). */
  'shell:openExternal': { req: z.object({ url: z.string().url().max(2000) }).strict(), res: Ok },
  'storage:usage': { req: Empty, res: StorageUsage },
  'storage:clear': { req: z.object({ what: z.enum(['thumbnails', 'unsaved']) }).strict(), res: z.object({ freedBytes: z.number() }) },

  // ── money ──────────────────────────────────────────────────────────────────────────────────────
  /**
   * A model's price, asked once when the model is chosen (may fetch fal's price the first time,
   * then daily). With it the renderer computes the estimate itself on every form change
   * (shared/domain/cost.ts estimateRun) — no IPC, no network on that path.
   */
  'cost:price': { req: z.object({ ref: z.string().min(3).max(200) }).strict(), res: z.object({ price: CostPrice.nullable() }) },
  /**
   * This form's estimate (× outputs requested × count) and the budget it would cross; cached prices
   * only, no network. With `members` instead of `ref` + `input` (a batch or compare, issue 14): the
   * whole fan-out's total, each member at its own model's price, and the budget the total would
   * cross; `knownUsd` and `unpriced` say what is known when some members have no price.
   */
  'cost:estimate': {
    req: z
      .object({
        ref: z.string().min(3).max(200).optional(),
        input: z.record(z.string(), z.unknown()).optional(),
        count: z.number().int().min(1).max(1000).default(1),
        /** The model's input schema, for the default of num_outputs-like fields. */
        schema: z.record(z.string(), z.unknown()).nullable().optional(),
        members: z
          .array(
            z
              .object({
                ref: z.string().min(3).max(200),
                input: z.record(z.string(), z.unknown()),
                schema: z.record(z.string(), z.unknown()).nullable().optional(),
              })
              .strict(),
          )
          .min(1)
          .max(LIMITS.estimateMembers, `At most ${LIMITS.estimateMembers} runs are priced together; select fewer.`)
          .optional(),
        utcOffsetMinutes: UtcOffset,
      })
      .strict()
      .refine((r) => (r.members ? r.ref === undefined && r.input === undefined : r.ref !== undefined && r.input !== undefined), {
        message: 'Give either ref and input (one form) or members (a fan-out), not both.',
      }),
    res: CostFigure.extend({
      price: CostPrice.nullable(),
      budget: BudgetState,
      knownUsd: z.number().optional(),
      unpriced: z.number().int().optional(),
    }),
  },
  /** One run's ledger row (card and detail view); null while it runs. */
  'cost:get': { req: Id, res: CostFigure.nullable() },
  /** Spend view: totals per day, month, provider and model between two local dates (inclusive). */
  'cost:summary': { req: SpendRange, res: SpendSummary },
  /** The ledger rows of a range as CSV text (the renderer saves it). */
  'cost:csv': { req: SpendRange, res: z.object({ csv: z.string(), rows: z.number() }) },
} as const;

export const events = {
  'app:pong': z.object({ nonce: z.string() }),
  /** `full` marks a complete view (a new prediction); otherwise only what changed. */
  'prediction:updated': z.object({ id: z.string(), changes: PredictionChanges, full: z.boolean().optional() }),
  'predictions:removed': z.object({ ids: z.array(z.string()) }),
  'network:changed': z.object({ online: z.boolean(), detail: z.string().nullable() }),
  'settings:changed': Settings,
  /** Sent when a long prediction finishes while the window is unfocused (browser mode shows it itself). */
  notify: z.object({ title: z.string(), body: z.string(), predictionId: z.string().nullable() }),
} as const;

export type InvokeChannel = keyof typeof invoke;
export type EventName = keyof typeof events;
export type Req<C extends InvokeChannel> = z.input<(typeof invoke)[C]['req']>;
export type ParsedReq<C extends InvokeChannel> = z.output<(typeof invoke)[C]['req']>;
export type Res<C extends InvokeChannel> = z.output<(typeof invoke)[C]['res']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const INVOKE_CHANNELS = Object.keys(invoke) as InvokeChannel[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isInvokeChannel(x: unknown): x is InvokeChannel {
  return typeof x === 'string' && Object.hasOwn(invoke, x);
}
export function isEventName(x: unknown): x is EventName {
  return typeof x === 'string' && Object.hasOwn(events, x);
}

/** Errors cross the transports as data (shared/kiln-error.ts: the class and its shape, without zod). */
export const KilnErrorData = z.object({
  code: z.enum(KILN_ERROR_CODES),
  message: z.string(),
  /** For invalid_input: input field name → message. */
  fields: z.record(z.string(), z.string()).optional(),
});
export type KilnErrorData = KilnErrorShape;
// The schema and the plain shape are one thing: each must be assignable to the other.
const _sameError = (a: z.infer<typeof KilnErrorData>, b: KilnErrorShape): [KilnErrorShape, z.infer<typeof KilnErrorData>] => [a, b];
void _sameError;

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: KilnErrorData };

/** What `window.kiln` is, in every transport. */
export interface KilnApi {
  invoke<C extends InvokeChannel>(channel: C, req: Req<C>): Promise<Res<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** URL for a vault-relative media path (kiln-media:// in Electron, an HTTP path in browser mode). */
  mediaUrl(path: string): string;
  readonly mode: 'electron' | 'web' | 'memory';
}

/** Browser-mode WebSocket frames (JSON text), carrying exactly the contract above. */
export type WireToServer = { type: 'invoke'; id: number; channel: string; payload: unknown };
export type WireToClient = { type: 'result'; id: number; envelope: Envelope<unknown> } | { type: 'event'; event: string; payload: unknown };
