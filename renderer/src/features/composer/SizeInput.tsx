import type { FormField } from '../../../../shared/schema-form.ts';
import { falImageSize as pixels } from '../../../../shared/domain/image-size.ts';

// A size field (schema-form.ts `size`: fal's `image_size`, a preset by name or `{width, height}`):
// a list of the presets, each with its pixels where fal documents them, and "Custom size", which
// shows a width and a height. The value is the preset's name or the object, as fal takes it;
// validateForm (readSize) checks the bounds and says which side is wrong.

const CUSTOM = '\u0000custom';

/** A preset's name made readable: "landscape_4_3" → "Landscape 4:3 (1024×768)". */
function presetLabel(name: string): string {
  const words = name.replace(/_(\d+)_(\d+)$/, ' $1:$2').replace(/_/g, ' ');
  const px = pixels(name);
  return `${words.charAt(0).toUpperCase()}${words.slice(1).replace(/\bhd\b/i, 'HD')}${px ? ` (${px[0]}×${px[1]})` : ''}`;
}

const sideOf = (v: unknown, side: 'width' | 'height'): string => {
  const n = v && typeof v === 'object' ? (v as Record<string, unknown>)[side] : undefined;
  return typeof n === 'number' || typeof n === 'string' ? String(n) : '';
};

export function SizeInput({
  field: f,
  value,
  onChange,
  common,
}: {
  field: FormField;
  value: unknown;
  onChange: (v: unknown) => void;
  common: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string; 'aria-required'?: true };
}) {
  const presets = (f.options ?? []).map(String);
  const custom = value !== undefined && value !== null && !(typeof value === 'string' && presets.includes(value));
  // Custom starts from the preset chosen before it (its pixels), else the schema's own defaults.
  const startCustom = () => {
    const px = typeof value === 'string' ? pixels(value) : undefined;
    const w = px?.[0] ?? f.dims?.width.default ?? 1024;
    const h = px?.[1] ?? f.dims?.height.default ?? 1024;
    onChange({ width: w, height: h });
  };
  const setSide = (side: 'width' | 'height', text: string) => {
    const other = side === 'width' ? 'height' : 'width';
    const n = text.trim() === '' ? '' : Number(text);
    onChange({ [side]: Number.isNaN(n) ? text : n, [other]: value && typeof value === 'object' ? (value as Record<string, unknown>)[other] : '' });
  };
  return (
    <div className="size-input">
      <select
        {...common}
        value={custom ? CUSTOM : typeof value === 'string' ? value : ''}
        onChange={(e) => (e.target.value === CUSTOM ? startCustom() : onChange(e.target.value || undefined))}
      >
        {(!f.required || value === undefined) && <option value="">—</option>}
        {presets.map((p) => (
          <option key={p} value={p}>
            {presetLabel(p)}
          </option>
        ))}
        <option value={CUSTOM}>Custom size…</option>
      </select>
      {custom && (
        <div className="size-custom">
          {(['width', 'height'] as const).map((side, i) => (
            <span key={side} className="size-side">
              {i === 1 && (
                <span aria-hidden="true" className="muted">
                  ×
                </span>
              )}
              <input
                type="number"
                inputMode="numeric"
                aria-label={`${f.label}: ${side}`}
                aria-invalid={common['aria-invalid']}
                aria-describedby={common['aria-describedby']}
                min={f.dims?.[side].min ?? undefined}
                max={f.dims?.[side].max ?? undefined}
                step={f.dims?.integer === false ? 'any' : 1}
                value={sideOf(value, side)}
                onChange={(e) => setSide(side, e.target.value)}
              />
            </span>
          ))}
          <span className="muted small">px</span>
        </div>
      )}
    </div>
  );
}
