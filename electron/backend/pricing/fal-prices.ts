import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Price } from '../../../shared/domain/cost.ts';
import type { Clock, Logger } from '../types.ts';
import { FILE_MODE } from '../data-dir.ts';

// fal's unit prices (reference §12, `GET /v1/models/pricing`), cached in the data folder so an
// estimate never waits on the network: read once per model from the API, kept on disk, refreshed
// when a day old. A failed refresh keeps the old price (a day-old price beats none).

export const FAL_PRICES_FILE = 'fal-prices.json';
/** A cached price older than this is fetched again the next time its model is looked at. */
export const FAL_PRICE_TTL_MS = 24 * 3600 * 1000;
/** Bound on the cache file (entries), so a hostile or broken file cannot grow without end. */
const MAX_ENTRIES = 5000;

/** What the fal client's `pricing(ids)` returns (electron/backend/providers/fal/platform.ts). */
export interface FalPriceRow {
  endpointId: string;
  unitPrice: number;
  unit: string;
  currency: string;
}
export type FalPricingSource = (endpointIds: string[]) => Promise<FalPriceRow[]>;

const Entry = z.object({ unitPrice: z.number().min(0).max(1_000_000), unit: z.string().max(100), currency: z.string().max(10), fetchedAt: z.number() });
const CacheFile = z.object({ version: z.literal(1), prices: z.record(z.string().max(300), Entry) });
type Entry = z.infer<typeof Entry>;

/** fal's unit names → Kiln's price units (shared/domain/cost.ts); a unit not understood gives no price. */
export function falPrice(endpointId: string, e: Pick<Entry, 'unitPrice' | 'unit' | 'currency' | 'fetchedAt'>): Price | null {
  if (e.currency.toUpperCase() !== 'USD') return null;
  const day = new Date(e.fetchedAt).toISOString().slice(0, 10);
  const base = { provider: 'fal' as const, model: endpointId, source: `fal's pricing API, ${day}`, tableDate: day };
  const unit = e.unit.trim().toLowerCase();
  if (/^images?$/.test(unit)) return { ...base, unit: 'output', usd: e.unitPrice, noun: 'image' };
  if (/^videos?$/.test(unit)) return { ...base, unit: 'output', usd: e.unitPrice, noun: 'video' };
  if (/^(requests?|calls?)$/.test(unit)) return { ...base, unit: 'run', usd: e.unitPrice, noun: 'run' };
  if (/^(seconds?|video seconds?)$/.test(unit)) return { ...base, unit: 'video-second', usd: e.unitPrice, noun: 'video second' };
  if (/^(megapixels?|mp)$/.test(unit)) return { ...base, unit: 'megapixel', usd: e.unitPrice, noun: 'megapixel' };
  if (/^(compute|gpu)[ -]?seconds?$/.test(unit)) return { ...base, unit: 'second', usd: e.unitPrice, noun: 'compute second' };
  const tokens = /^(1k |1m |1000 |1000000 )?(output )?tokens?$/.exec(unit);
  if (tokens) {
    const per = tokens[1]?.startsWith('1k') || tokens[1]?.startsWith('1000 ') ? 1e3 : tokens[1] ? 1e6 : 1;
    return { ...base, unit: 'token', usd: e.unitPrice / per, noun: 'output token' };
  }
  return null;
}

export function createFalPrices(opts: { dataDir: string; clock: Clock; log: Logger; source: () => FalPricingSource | null }) {
  const file = path.join(opts.dataDir, FAL_PRICES_FILE);
  const prices: Record<string, Entry> = load();
  const inflight = new Map<string, Promise<void>>();
  // Endpoints fal answered without a price (unknown to its pricing API): not asked again until a
  // day has passed, so a run of such a model does not cost a pricing request each time it ends.
  const missed = new Map<string, number>();

  function load(): Record<string, Entry> {
    try {
      const parsed = CacheFile.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      if (parsed.success) return parsed.data.prices;
      opts.log.warn('fal price cache unreadable; prices will be fetched again', { file });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') opts.log.warn('fal price cache unreadable', { file, err: String(err) });
    }
    return {};
  }

  function persist() {
    const keys = Object.keys(prices);
    if (keys.length > MAX_ENTRIES)
      for (const k of keys.sort((a, b) => prices[a]!.fetchedAt - prices[b]!.fetchedAt).slice(0, keys.length - MAX_ENTRIES)) delete prices[k];
    const tmp = `${file}.tmp-${process.pid}`;
    try {
      fs.writeFileSync(tmp, JSON.stringify({ version: 1, prices }), { mode: FILE_MODE });
      fs.renameSync(tmp, file);
    } catch (err) {
      opts.log.warn('could not save the fal price cache', { file, err: String(err) });
      fs.rmSync(tmp, { force: true });
    }
  }

  return {
    /** The cached price (no network); null when never fetched or not understood. */
    cached(endpointId: string): Price | null {
      const e = prices[endpointId];
      return e ? falPrice(endpointId, e) : null;
    },
    /** Whether the price is missing or a day old. */
    stale(endpointId: string): boolean {
      const e = prices[endpointId];
      const checkedAt = e?.fetchedAt ?? missed.get(endpointId);
      return checkedAt === undefined || opts.clock.now() - checkedAt >= FAL_PRICE_TTL_MS;
    },
    /**
     * Fetches the prices that are missing or stale (one request for up to 50 ids). Never throws:
     * without a key or network the old prices stay. Concurrent calls for the same ids share one request.
     */
    async refresh(endpointIds: string[]): Promise<void> {
      const src = opts.source();
      const want = [...new Set(endpointIds)].filter((id) => this.stale(id) && !inflight.has(id));
      const waits = endpointIds.map((id) => inflight.get(id)).filter((p): p is Promise<void> => !!p);
      if (src && want.length) {
        const job = (async () => {
          try {
            const rows = await src(want);
            const at = opts.clock.now();
            for (const r of rows) prices[r.endpointId] = { unitPrice: r.unitPrice, unit: r.unit, currency: r.currency, fetchedAt: at };
            for (const id of want) if (!rows.some((r) => r.endpointId === id)) missed.set(id, at);
            if (missed.size > MAX_ENTRIES) missed.delete(missed.keys().next().value!);
            persist();
          } catch (err) {
            opts.log.warn('fal prices not refreshed; keeping the cached ones', { err: String((err as Error)?.message ?? err) });
          } finally {
            for (const id of want) inflight.delete(id);
          }
        })();
        for (const id of want) inflight.set(id, job);
        waits.push(job);
      }
      await Promise.all(waits);
    },
  };
}

export type FalPrices = ReturnType<typeof createFalPrices>;
