import type { OutputView, PredictionView } from '../../../../shared/domain/prediction.ts';
import { runRef } from '../../../../shared/domain/provider.ts';
import { windowApi, errorMessage, errorCode } from '../../api.ts';
import { composerStore, predictionsStore, uiStore } from '../../stores/index.ts';
import { openExternal } from '../../components/external.ts';
import { excerpt } from '../../components/format.ts';
import { fieldErrorsFrom } from '../composer/field-errors.ts';
import { confirmRetryBudget } from '../cost/budget-gate.ts';
import { fileActionsFor, replicatePageUrl, type FileAction } from './status.ts';

/** How long a deleted card's slot stays (empty) under the pointer: longer than a double-click. */
export const DELETE_HOLD_MS = 1_200;

// Card and bulk actions in one place, so the gallery, the detail view and the bulk bar behave alike.

const fail = (what: string) => (e: unknown) => {
  uiStore.getState().toast(`${what}: ${errorMessage(e)}`, { tone: 'error' });
};

/** Desktop-only actions in browser mode answer `not_implemented`: that is a fact to mention, not an error. */
const desktopOnly = (what: string) => (e: unknown) => {
  if (errorCode(e) === 'not_implemented') uiStore.getState().toast((e as Error).message, { tone: 'info', timeout: 5000 });
  else fail(what)(e);
};

/**
 * Retry asks first when the run would cross a budget, like Generate (ARCHITECTURE.md, "Money"). `gated`: the
 * caller already asked (Retry selected asks once for the whole selection).
 */
export async function retry(id: string, gated = false): Promise<void> {
  const p = predictionsStore.getState().byId[id];
  if (!gated && p && !(await confirmRetryBudget([p]))) return;
  try {
    const { id: newId } = await windowApi().invoke('predictions:retry', { id });
    // Show the variant at once, even before its `full` event arrives.
    windowApi()
      .invoke('predictions:get', { id: newId })
      .then(
        (v) => predictionsStore.getState().upsert(v),
        () => {},
      );
  } catch (e) {
    fail('Retry failed')(e);
  }
}

/** A run the provider refused for its input (422) can only fail again as it is. */
export function refusedForInput(p: PredictionView): boolean {
  return p.status === 'failed' && p.error?.code === 'invalid_input';
}

/** "Fix and run": the composer opens on this run's model and input with the provider's field errors on their fields. */
export function fixAndRun(p: PredictionView): void {
  remix(p, fieldErrorsFrom(p.error?.message ?? ''));
}

export function cancel(id: string): void {
  windowApi().invoke('predictions:cancel', { id }).catch(fail('Could not cancel'));
}

/** Remix only fills the composer: its run goes through Generate, which asks about the budget. */
export function remix(p: PredictionView, errors?: Record<string, string>): void {
  const ready = composerStore.getState().selectModel(runRef(p), { version: p.version, values: p.input, errors, seed: p.seed });
  uiStore.getState().openDetail(null);
  uiStore.getState().setComposerOpen(true);
  uiStore
    .getState()
    .toast(errors ? 'Composer filled from this prediction: fix the marked fields, then Generate' : 'Composer filled from this prediction', { timeout: 2500 });
  // Put the cursor where the work is: the first field to fix, or the prompt (type-and-go).
  void ready.then(() =>
    setTimeout(() => {
      const target = document.querySelector<HTMLElement>('.composer [aria-invalid="true"]') ?? document.querySelector<HTMLElement>('.composer textarea');
      target?.focus();
    }, 50),
  );
}

/** What a delete toast names: the run's prompt (or model) for one, a count for several. */
function deletedWhat(ids: string[], deleted: number): string {
  const one = ids.length === 1 ? predictionsStore.getState().byId[ids[0]!] : undefined;
  if (one && deleted === 1) return `“${excerpt(one.prompt?.trim() || one.model, 48)}”`;
  return `${deleted} prediction${deleted === 1 ? '' : 's'}`;
}

export async function remove(ids: string[]): Promise<void> {
  if (!ids.length) return;
  const store = predictionsStore.getState();
  // Already on its way out: a second click on the same (held) slot does nothing.
  if (ids.every((id) => store.held[id] !== undefined)) return;
  const what = (n: number) => deletedWhat(ids, n);
  store.hold(ids, DELETE_HOLD_MS);
  try {
    const r = await windowApi().invoke('predictions:delete', { ids });
    predictionsStore.getState().onRemoved(ids.length === 1 || !r.skippedFavourites ? ids : []);
    if (r.skippedFavourites) void predictionsStore.getState().reload();
    uiStore.getState().clearSelection();
    const skipped = r.skippedFavourites ? ` (${r.skippedFavourites} favourite${r.skippedFavourites > 1 ? 's' : ''} kept)` : '';
    uiStore.getState().toast(`Deleted ${what(r.deleted)}${skipped} · kept in Recently deleted for 30 days`, {
      timeout: 10_000,
      action: {
        label: 'Undo',
        run: () => {
          windowApi()
            .invoke('predictions:undoDelete', { undoToken: r.undoToken })
            .then(() => predictionsStore.getState().reload(), fail('Undo failed'));
        },
      },
    });
  } catch (e) {
    fail('Could not delete')(e);
  }
}

export function favourite(p: PredictionView): void {
  const next = !p.favourite;
  predictionsStore.getState().upsert({ ...p, favourite: next });
  windowApi()
    .invoke('predictions:favourite', { id: p.id, favourite: next })
    .catch((e) => {
      predictionsStore.getState().upsert({ ...p, favourite: !next });
      fail('Could not update favourite')(e);
    });
}

function copy(text: string, done: string, what: string): void {
  navigator.clipboard.writeText(text).then(() => uiStore.getState().toast(done, { timeout: 2000 }), fail(`Could not copy ${what}`));
}

export function copyText(p: PredictionView): void {
  if (p.text) copy(p.text, 'Text copied', 'the text');
}

/** A run's error as one text: its code first unless the message already starts with it. */
export function errorText(e: NonNullable<PredictionView['error']>): string {
  return e.code && !e.message.startsWith(e.code) ? `${e.code}: ${e.message}` : e.message;
}

export function copyError(p: PredictionView): void {
  if (p.error) copy(errorText(p.error), 'Error copied', 'the error');
}

export function copyPrompt(p: PredictionView): void {
  const text = p.prompt ?? JSON.stringify(p.input, null, 2);
  navigator.clipboard.writeText(text).then(() => uiStore.getState().toast('Prompt copied', { timeout: 2000 }), fail('Could not copy'));
}

export function saveAs(path: string): void {
  windowApi()
    .invoke('media:saveAs', { path })
    .then((r) => {
      if (r.saved) uiStore.getState().toast(`Saved to ${r.path}`, { tone: 'success' });
    }, desktopOnly('Could not save'));
}

export function reveal(path: string): void {
  windowApi().invoke('media:reveal', { path }).catch(desktopOnly('Could not reveal the file'));
}

export function copyImage(path: string): void {
  windowApi()
    .invoke('media:copyImage', { path })
    .then(() => uiStore.getState().toast('Image copied', { timeout: 2000 }), desktopOnly('Could not copy the image'));
}

export function openDefault(path: string): void {
  windowApi().invoke('media:openDefault', { path }).catch(desktopOnly('Could not open the file'));
}

/** Fetches outputs again (a file deleted outside Kiln); the card follows the save through events. */
export function redownload(id: string): void {
  windowApi().invoke('predictions:redownload', { id }).catch(fail('Could not re-download'));
}

export function openOnReplicate(p: PredictionView): void {
  const url = replicatePageUrl(p);
  if (url) openExternal(url);
}

/**
 * What can be done with one output's file (and the prediction's page): the card's "More actions"
 * menu and the detail view offer exactly these, under the same conditions (`fileActionsFor`).
 */
export function fileActions(p: PredictionView, out: OutputView | null): { label: string; run: () => void }[] {
  const path = out?.path ?? '';
  const run: Record<FileAction, { label: string; run: () => void }> = {
    'copy-image': { label: 'Copy image', run: () => copyImage(path) },
    'open-default': { label: 'Open with default app', run: () => openDefault(path) },
    'save-as': { label: 'Save as…', run: () => saveAs(path) },
    reveal: { label: 'Reveal in folder', run: () => reveal(path) },
    'open-replicate': { label: 'Open on replicate.com', run: () => openOnReplicate(p) },
  };
  return fileActionsFor(p, out).map((a) => run[a]);
}

export async function bulkRetry(ids: string[]): Promise<void> {
  const runs = ids.map((id) => predictionsStore.getState().byId[id]).filter((p): p is PredictionView => !!p);
  if (!(await confirmRetryBudget(runs))) return;
  for (const id of ids) await retry(id, true);
  uiStore.getState().clearSelection();
}

export async function exportItems(ids?: string[]): Promise<void> {
  try {
    const r = await windowApi().invoke('predictions:export', ids?.length ? { ids } : {});
    uiStore.getState().toast(`Exported ${r.count} to ${r.path}`, { tone: 'success', timeout: 8000 });
  } catch (e) {
    fail('Export failed')(e);
  }
}
