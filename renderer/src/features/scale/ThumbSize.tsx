import { useId } from 'react';
import { RadioGroup } from '../../ui/RadioGroup.tsx';
import { THUMB_SIZES, useViewPrefs, viewPrefsStore, type ThumbSize } from '../../stores/view-prefs.ts';

const LABELS: Record<ThumbSize, string> = { 150: 'Small', 230: 'Medium', 320: 'Large' };

/** The gallery's thumbnail size (small, medium, large), remembered for this window. */
export function ThumbSizeControl() {
  const size = useViewPrefs((s) => s.thumbSize);
  const id = useId();
  return (
    <div className="thumb-size" title="Thumbnail size">
      <span id={id} className="visually-hidden">
        Thumbnail size
      </span>
      <RadioGroup
        labelledBy={id}
        value={size}
        onChange={(v) => viewPrefsStore.getState().setThumbSize(v)}
        choices={THUMB_SIZES.map((s) => ({ value: s, label: LABELS[s] }))}
      />
    </div>
  );
}
