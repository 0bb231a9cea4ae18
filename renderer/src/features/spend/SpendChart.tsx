import { formatUsd } from '../../../../shared/domain/cost.ts';

// Spend per day as plain SVG bars (no chart library: a few rects and labels). The chart is one
// image with a summary name; the table beside it carries the same figures for screen readers.

export interface Bar {
  key: string;
  usd: number;
}

const W = 600;
const H = 160;
const PAD = { top: 10, right: 8, bottom: 22, left: 8 };

export function SpendChart({ bars, label }: { bars: Bar[]; label: string }) {
  const max = Math.max(...bars.map((b) => b.usd), 0);
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const slot = bars.length ? innerW / bars.length : innerW;
  const barW = Math.max(2, Math.min(40, slot * 0.7));
  // Label a handful of days, not all of them: a month of dates would overlap.
  const every = Math.max(1, Math.ceil(bars.length / 8));
  return (
    <svg className="spend-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
      <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} className="axis" />
      {bars.map((b, i) => {
        const h = max > 0 ? (b.usd / max) * innerH : 0;
        const x = PAD.left + i * slot + (slot - barW) / 2;
        return (
          <g key={b.key}>
            <rect x={x} y={H - PAD.bottom - h} width={barW} height={Math.max(h, b.usd > 0 ? 1 : 0)} className="bar" rx={2}>
              <title>{`${b.key}: ${formatUsd(b.usd)}`}</title>
            </rect>
            {i % every === 0 && (
              <text x={x + barW / 2} y={H - 6} textAnchor="middle" className="tick">
                {b.key.slice(5)}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
