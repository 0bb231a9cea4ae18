import type { DragEvent } from 'react';
import type { OutputView, PredictionView } from '../../../../shared/domain/prediction.ts';
import { windowApi } from '../../api.ts';
import { predictionsStore } from '../../stores/index.ts';
import type { FileKind } from '../composer/file-kind.ts';
import { stageFile } from '../composer/stage-file.ts';

// Chain by drag (issue 14): an output is dragged from the gallery onto a file field. The drag
// carries only "run id + output index" under Kiln's own MIME type — never a path — and the field
// looks the output up in the loaded history, checks its kind, and stages it like "Use as input".

export type ChainKind = 'image' | 'video' | 'audio';

/** The kind of file an output gives to a chain, or null when it cannot be chained (text, missing file). */
export function chainKind(out: OutputView | null): ChainKind | null {
  return out?.path && out.state !== 'missing' && (out.kind === 'image' || out.kind === 'video' || out.kind === 'audio') ? out.kind : null;
}

export const CHAIN_MIME = 'application/x-kiln-output';

const ID_MAX = 100;

/** Props that make an element a drag source for `out` of run `p`; none when the output cannot be chained. */
export function chainDragProps(p: PredictionView, out: OutputView | null): { draggable?: true; onDragStart?: (e: DragEvent) => void } {
  const kind = chainKind(out);
  if (!kind || !out) return {};
  return {
    draggable: true,
    onDragStart: (e: DragEvent) => {
      e.dataTransfer.setData(CHAIN_MIME, JSON.stringify({ id: p.id, index: out.index }));
      e.dataTransfer.effectAllowed = 'copy';
    },
  };
}

/** True while a Kiln output (not a file from outside) is being dragged. */
export function isChainDrag(e: DragEvent): boolean {
  return e.dataTransfer.types.includes(CHAIN_MIME);
}

/** The dragged output, read back (untrusted: any page content could set this type). */
export function readChainDrag(e: DragEvent): { id: string; index: number } | null {
  try {
    const v = JSON.parse(e.dataTransfer.getData(CHAIN_MIME)) as unknown;
    if (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string' && Number.isInteger((v as { index?: unknown }).index)) {
      const { id, index } = v as { id: string; index: number };
      if (id.length <= ID_MAX && index >= 0) return { id, index };
    }
  } catch {
    // not JSON: refused below like any other unreadable drop
  }
  return null;
}

const article = (k: ChainKind) => (k === 'image' ? 'an image' : k === 'audio' ? 'audio' : `a ${k}`);

/**
 * Stages the dragged output for a field of `kind`. Throws with a message the field shows when the
 * run or its file is gone, or when the field takes another kind of file.
 */
export async function stageDragged(drag: { id: string; index: number }, kind: FileKind): Promise<{ ref: string; runId: string }> {
  const p =
    predictionsStore.getState().byId[drag.id] ??
    (await windowApi()
      .invoke('predictions:get', { id: drag.id })
      .catch(() => null));
  const out = p?.outputs.find((o) => o.index === drag.index) ?? null;
  const have = chainKind(out);
  if (!p || !out || !have) throw new Error('That output is no longer saved in Kiln, so it cannot be used as input.');
  if (kind !== 'any' && kind !== have)
    throw new Error(
      `This field takes ${kind === 'image' ? 'an image' : `a ${kind} file`}; you dropped ${article(have)}. Drop it on a field that takes ${article(have)}, or use “Use as input…” to find one.`,
    );
  const blob = await (await fetch(windowApi().mediaUrl(out.path!))).blob();
  const name = out.path!.split('/').pop() ?? `output.${have}`;
  const ref = await stageFile(new File([blob], name, { type: out.mime ?? blob.type }));
  return { ref, runId: p.id };
}
