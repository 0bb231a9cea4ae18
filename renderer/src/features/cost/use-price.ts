import { useMemo } from 'react';
import { costKey, overrideKey, overridePrice, type Price } from '../../../../shared/domain/cost.ts';
import { useSettings } from '../../stores/index.ts';
import { useCost } from '../../stores/cost.ts';

/**
 * A model's price as the renderer shows it: the user's override from Settings, read synchronously
 * (an edit in Settings changes the estimate at once, no IPC), else the price asked of the backend
 * (`undefined` not asked yet, 'loading', null unknown).
 */
export function usePrice(ref: string | null): Price | null | 'loading' | undefined {
  const key = useMemo(() => (ref ? costKey(ref) : null), [ref]);
  const o = useSettings((s) => (key ? s.settings.priceOverrides?.[overrideKey(key.provider, key.model)] : undefined));
  const asked = useCost((s) => (ref ? s.prices[ref] : undefined));
  return useMemo(() => (key && o ? overridePrice(key.provider, key.model, o) : asked), [key, o, asked]);
}
