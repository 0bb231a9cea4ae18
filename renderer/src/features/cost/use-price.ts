import { useEffect, useMemo } from 'react';
import { costKey, overrideKey, overridePrice, type Price } from '../../../../shared/domain/cost.ts';
import { useSettings } from '../../stores/index.ts';
import { costStore, useCost } from '../../stores/cost.ts';

/**
 * A model's price as the renderer shows it: the user's override from Settings, read synchronously
 * (an edit in Settings changes the estimate at once, no IPC), else the price asked of the backend
 * (`undefined` not asked yet, 'loading', null unknown). Asks for it whenever it is missing: when
 * the model changes, and again after the prices were forgotten (an override changed).
 */
export function usePrice(ref: string | null): Price | null | 'loading' | undefined {
  const key = useMemo(() => (ref ? costKey(ref) : null), [ref]);
  const o = useSettings((s) => (key ? s.settings.priceOverrides?.[overrideKey(key.provider, key.model)] : undefined));
  const asked = useCost((s) => (ref ? s.prices[ref] : undefined));
  const missing = asked === undefined;
  useEffect(() => {
    if (ref && missing) costStore.getState().ensurePrice(ref);
  }, [ref, missing]);
  return useMemo(() => (key && o ? overridePrice(key.provider, key.model, o) : asked), [key, o, asked]);
}
