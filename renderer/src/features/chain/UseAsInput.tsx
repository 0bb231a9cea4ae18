import { useEffect, useState } from 'react';
import type { OutputView, PredictionView } from '../../../../shared/domain/prediction.ts';
import { buildFormFields } from '../../../../shared/schema-form.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { windowApi, errorMessage } from '../../api.ts';
import { composerStore, settingsStore, uiStore } from '../../stores/index.ts';
import { expectedKind } from '../composer/file-kind.ts';
import { stageFile } from '../composer/stage-file.ts';
import { chainKind, type ChainKind } from './drag.ts';

export { chainKind };
import './chain.css';

// Chain (issue 14): "Use as input" sends one output to another model's file field. The models
// offered are those the picker already knows (featured, pinned, recent) whose inputs take that
// kind of file; choosing one opens the composer on it with the file in place.

interface Target {
  model: string;
  field: string;
  label: string;
  list: boolean;
}

/** The models Kiln already lists for the person, without a search: featured, pinned, then recent. */
function knownModels(): string[] {
  const s = settingsStore.getState().settings;
  return [...new Set([...s.pinnedModels, ...s.recentModels, ...composerStore.getState().featured.map((m) => m.ref)])].slice(0, 30);
}

/** Each file field of `model` that takes `kind` (or any file). */
async function targetsOf(model: string, kind: ChainKind): Promise<Target[]> {
  const detail = await windowApi().invoke('models:get', { ref: model });
  return buildFormFields(detail.inputSchema)
    .filter((f) => f.kind === 'file' || (f.kind === 'array' && f.itemKind === 'file'))
    .filter((f) => {
      const k = expectedKind(f);
      return k === kind || k === 'any';
    })
    .map((f) => ({ model, field: f.name, label: f.label, list: f.kind === 'array' }));
}

export function UseAsInput({ p, out, onClose }: { p: PredictionView; out: OutputView; onClose: () => void }) {
  const kind = chainKind(out)!;
  const [targets, setTargets] = useState<Target[] | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let live = true;
    void Promise.allSettled(knownModels().map((m) => targetsOf(m, kind))).then((all) => {
      if (live) setTargets(all.flatMap((r) => (r.status === 'fulfilled' ? r.value : [])));
    });
    return () => {
      live = false;
    };
  }, [kind]);

  const choose = async (t: Target) => {
    setBusy(true);
    try {
      // The output's own bytes, staged like a file the person dropped in.
      const blob = await (await fetch(windowApi().mediaUrl(out.path!))).blob();
      const name = out.path!.split('/').pop() ?? `output.${kind}`;
      const ref = await stageFile(new File([blob], name, { type: out.mime ?? blob.type }));
      await composerStore.getState().selectModel(t.model);
      composerStore.getState().setChainedFile(t.field, t.list ? [ref] : ref, ref, p.id);
      uiStore.getState().openDetail(null);
      uiStore.getState().setComposerOpen(true);
      uiStore.getState().toast(`The ${kind} of “${(p.prompt ?? p.model).slice(0, 40)}” is in ${t.model}’s ${t.label}`, { timeout: 3000 });
      onClose();
    } catch (e) {
      uiStore.getState().toast(`Could not use the ${kind} as input: ${errorMessage(e)}`, { tone: 'error' });
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Use this ${kind} as input`} onClose={onClose} className="chain-dialog">
      {targets === null ? (
        <p className="muted">Looking for models that take {kind === 'image' ? 'an image' : `a ${kind}`}…</p>
      ) : !targets.length ? (
        <p className="muted">
          None of your pinned, recent or featured models takes {kind === 'image' ? 'an image' : `a ${kind}`}. Pick one in the model list first.
        </p>
      ) : (
        <ul className="chain-list" aria-busy={busy}>
          {targets.map((t) => (
            <li key={`${t.model}:${t.field}`}>
              <button type="button" className="btn chain-target" disabled={busy} onClick={() => void choose(t)}>
                <span className="chain-model">{t.model}</span> <span className="muted small">→ {t.label}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
