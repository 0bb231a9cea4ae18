import { costKey, overrideKey, overridePrice, type CostProvider, type Price } from '../../../shared/domain/cost.ts';
import type { Settings } from '../../../shared/domain/settings.ts';
import type { Clock, Logger } from '../types.ts';
import { replicateTablePrice } from './replicate-table.ts';
import { createFalPrices, type FalPricingSource } from './fal-prices.ts';

// The price catalogue (ARCHITECTURE.md, "Money"): for a model, the user's override if there is one, else fal's
// cached unit price or Replicate's shipped table. `price()` never touches the network, so the
// estimate can run on every form change; `ensure()` fetches what fal's cache lacks (once per
// model, then daily) and is called where a model is chosen, not where a form changes.

export interface CatalogueDeps {
  dataDir: string;
  clock: Clock;
  log: Logger;
  settings: { get(): Pick<Settings, 'priceOverrides'> };
  /** fal's pricing API through the fal client (`pricing(ids)`); null while no fal client is configured. */
  falPricing: () => FalPricingSource | null;
}

/** Where overrides are keyed (shared with the renderer's editor). */
export { overrideKey };

export function createCatalogue(deps: CatalogueDeps) {
  const fal = createFalPrices({ dataDir: deps.dataDir, clock: deps.clock, log: deps.log, source: deps.falPricing });

  /** The price for a provider + model from what is at hand (no network). */
  function priceOf(provider: CostProvider, model: string): Price | null {
    const o = deps.settings.get().priceOverrides[overrideKey(provider, model)];
    if (o) return overridePrice(provider, model, o);
    return provider === 'fal' ? fal.cached(model) : replicateTablePrice(model);
  }

  return {
    priceOf,
    /** The price for a model ref (ARCHITECTURE.md, "Fixed interfaces" spelling); null when unknown or the ref is not one. */
    price(ref: string): Price | null {
      const k = costKey(ref);
      return k ? priceOf(k.provider, k.model) : null;
    },
    /** Brings fal's cached price for these refs up to date (network; never throws). */
    async ensure(refs: string[]): Promise<void> {
      const ids = refs
        .map(costKey)
        .filter((k) => k?.provider === 'fal')
        .map((k) => k!.model);
      if (ids.length) await fal.refresh(ids);
    },
    falPrices: fal,
  };
}

export type Catalogue = ReturnType<typeof createCatalogue>;
