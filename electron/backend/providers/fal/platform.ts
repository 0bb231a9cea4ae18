import { ProviderError, malformedError } from './errors.ts';
import { parseEndpointId } from './endpoint.ts';
import {
  billingEventSchema,
  billingPageSchema,
  historyItemSchema,
  historyPageSchema,
  modelSchema,
  modelsPageSchema,
  pricesPageSchema,
  priceSchema,
  type FalHistoryItem,
} from './schemas.ts';
import type { FalTransport } from './transport.ts';

// fal's Platform API (reference §11–§12): model search, the per-model OpenAPI input schema,
// unit prices, and the request history that reconciles a lost submit (fal has no idempotency key:
// a submit whose answer never arrived is looked up by its input before anything is re-sent).

export interface FalModel {
  endpointId: string;
  displayName: string;
  category: string | null;
  description: string | null;
  status: string | null;
  tags: string[];
  thumbnailUrl: string | null;
  /** Minutes, as fal estimates a run. */
  durationEstimateMin: number | null;
}

export interface FalInputSchema {
  endpointId: string;
  /** The input object schema (properties, required, x-fal-order-properties). */
  input: Record<string, unknown>;
  output: Record<string, unknown> | null;
  /** Every component schema, for resolving `$ref`s inside input/output. */
  components: Record<string, unknown>;
}

export interface FalPrice {
  endpointId: string;
  unitPrice: number;
  unit: string;
  currency: string;
}

/** What fal actually charged for one request (Admin keys only). */
export interface FalCharge {
  requestId: string;
  endpointId: string | null;
  usd: number;
  units: number | null;
  unitPrice: number | null;
}

/** Pages of history read at most per lookup (100 items each): a reconcile is bounded. */
const MAX_HISTORY_PAGES = 10;

function toModel(raw: unknown): FalModel | null {
  const p = modelSchema.safeParse(raw);
  if (!p.success) return null;
  const m = p.data.metadata;
  return {
    endpointId: p.data.endpoint_id,
    displayName: m?.display_name ?? p.data.endpoint_id,
    category: m?.category ?? null,
    description: m?.description ?? null,
    status: m?.status ?? null,
    tags: m?.tags ?? [],
    thumbnailUrl: m?.thumbnail_url ?? null,
    durationEstimateMin: m?.duration_estimate ?? null,
  };
}

const refName = (ref: unknown) => (typeof ref === 'string' && ref.startsWith('#/components/schemas/') ? ref.slice('#/components/schemas/'.length) : null);

/** Input/output schemas of a per-model OpenAPI document: follow the POST body's and the result's `$ref`s; fall back to names. */
export function schemasFromOpenApi(endpointId: string, doc: unknown): FalInputSchema {
  const d = doc as { paths?: Record<string, any>; components?: { schemas?: Record<string, unknown> }; error?: { message?: string } } | null;
  if (!d || typeof d !== 'object') throw malformedError(false, 'no OpenAPI document');
  if (d.error)
    throw new ProviderError({ code: 'provider', message: `fal could not provide the schema of ${endpointId}: ${d.error.message ?? 'expansion failed'}` });
  const schemas = d.components?.schemas ?? {};
  const post = d.paths?.[`/${endpointId}`]?.post;
  let inputName = refName(post?.requestBody?.content?.['application/json']?.schema?.$ref);
  const resultPath = Object.entries(d.paths ?? {}).find(([p, v]) => /\/requests\/\{request_id\}$/.test(p) && v?.get)?.[1];
  let outputName = refName(resultPath?.get?.responses?.['200']?.content?.['application/json']?.schema?.$ref);
  // Without a $ref to follow, the name heuristic fal's own CLI uses (…Input / …Output). The first
  // match is taken: fal lists the endpoint's own input before helper types such as LoRAInput.
  for (const name of Object.keys(schemas)) {
    const l = name.toLowerCase();
    if (!inputName && (l === 'input' || l === 'request' || l.endsWith('input'))) inputName = name;
    if (!outputName && (l === 'output' || l === 'response' || l.endsWith('output'))) outputName = name;
  }
  const input = inputName ? schemas[inputName] : undefined;
  if (!input || typeof input !== 'object') throw malformedError(false, `OpenAPI of ${endpointId} has no input schema`);
  const output = outputName ? schemas[outputName] : undefined;
  return {
    endpointId,
    input: input as Record<string, unknown>,
    output: output && typeof output === 'object' ? (output as Record<string, unknown>) : null,
    components: schemas,
  };
}

export function createPlatformApi(t: FalTransport) {
  const api = t.bases.apiUrl;

  async function get(pathAndQuery: string, auth: 'required' | 'optional', signal?: AbortSignal) {
    const r = await t.call('GET', `${api}${pathAndQuery}`, { auth, signal });
    if (!r.ok) throw t.failure(r);
    return t.jsonObject(r, false);
  }

  async function requestHistory(endpointId: string, opts: { since: number; requestIds?: string[]; signal?: AbortSignal }): Promise<FalHistoryItem[]> {
    const q = new URLSearchParams({ endpoint_id: parseEndpointId(endpointId).id, start: new Date(opts.since).toISOString(), expand: 'payloads', limit: '100' });
    for (const id of opts.requestIds ?? []) q.append('request_id', id);
    const items: FalHistoryItem[] = [];
    let cursor: string | null = null;
    for (let pageNo = 0; pageNo < MAX_HISTORY_PAGES; pageNo++) {
      if (cursor) q.set('cursor', cursor);
      const page = historyPageSchema.safeParse(await get(`/models/requests/by-endpoint?${q}`, 'required', opts.signal));
      if (!page.success) throw malformedError(false, 'request history without items');
      for (const it of page.data.items) {
        const r = historyItemSchema.safeParse(it);
        if (r.success) items.push(r.data);
      }
      cursor = page.data.has_more ? (page.data.next_cursor ?? null) : null;
      if (!cursor) break;
    }
    return items;
  }

  /**
   * One request for up to 50 ids. A 404 may be fal refusing the whole batch for one id it does not
   * price: a batch of more is split in halves and each asked again, so the known ids still get
   * their prices: each unknown id costs at most two requests per halving, six halvings for 50.
   */
  async function priceBatch(ids: string[], signal?: AbortSignal): Promise<FalPrice[]> {
    let body: Record<string, unknown>;
    try {
      body = await get(`/models/pricing?endpoint_id=${ids.map(encodeURIComponent).join(',')}`, 'required', signal);
    } catch (err) {
      if (!(err instanceof ProviderError && err.code === 'not_found')) throw err;
      if (ids.length === 1) return [];
      const half = Math.ceil(ids.length / 2);
      return [...(await priceBatch(ids.slice(0, half), signal)), ...(await priceBatch(ids.slice(half), signal))];
    }
    const page = pricesPageSchema.safeParse(body);
    if (!page.success) throw malformedError(false, 'pricing without prices');
    const out: FalPrice[] = [];
    for (const p of page.data.prices) {
      const r = priceSchema.safeParse(p);
      if (r.success) out.push({ endpointId: r.data.endpoint_id, unitPrice: r.data.unit_price, unit: r.data.unit, currency: r.data.currency });
    }
    return out;
  }

  return {
    /** Free-text search, or (with `endpointIds`, at most 50) those endpoints' metadata in one request. */
    async searchModels(
      query: string,
      opts: { category?: string; endpointIds?: string[]; limit?: number; cursor?: string | null; signal?: AbortSignal } = {},
    ): Promise<{ models: FalModel[]; nextCursor: string | null }> {
      const q = new URLSearchParams();
      if (query.trim()) q.set('q', query.trim());
      if (opts.category) q.set('category', opts.category);
      for (const id of (opts.endpointIds ?? []).slice(0, 50)) q.append('endpoint_id', parseEndpointId(id).id);
      q.set('limit', String(Math.max(1, Math.min(100, opts.limit ?? 24))));
      if (opts.cursor) q.set('cursor', opts.cursor);
      const page = modelsPageSchema.safeParse(await get(`/models?${q}`, 'optional', opts.signal));
      if (!page.success) throw malformedError(false, 'model list without models');
      return {
        models: page.data.models.map(toModel).filter((m): m is FalModel => m !== null),
        nextCursor: page.data.has_more ? (page.data.next_cursor ?? null) : null,
      };
    },

    /** One endpoint's metadata and its OpenAPI input schema (`expand=openapi-3.0`). */
    async getModel(endpointId: string, opts: { signal?: AbortSignal } = {}): Promise<{ model: FalModel; schema: FalInputSchema }> {
      const id = parseEndpointId(endpointId).id;
      const page = modelsPageSchema.safeParse(await get(`/models?endpoint_id=${encodeURIComponent(id)}&expand=openapi-3.0`, 'optional', opts.signal));
      if (!page.success) throw malformedError(false, 'model list without models');
      const raw = page.data.models.find((m) => (m as { endpoint_id?: unknown })?.endpoint_id === id);
      const model = raw ? toModel(raw) : null;
      if (!raw || !model) throw new ProviderError({ code: 'not_found', status: 404, message: `fal has no model "${id}".` });
      return { model, schema: schemasFromOpenApi(id, (raw as { openapi?: unknown }).openapi) };
    },

    /** Unit prices (key required); unknown endpoints are simply absent. */
    async pricing(endpointIds: string[], opts: { signal?: AbortSignal } = {}): Promise<FalPrice[]> {
      const out: FalPrice[] = [];
      for (let i = 0; i < endpointIds.length; i += 50) {
        out.push(
          ...(await priceBatch(
            endpointIds.slice(i, i + 50).map((e) => parseEndpointId(e).id),
            opts.signal,
          )),
        );
      }
      return out;
    },

    /** This key's requests to an endpoint since `since` (epoch ms), newest first, with their inputs. */
    requestHistory,

    /**
     * Actual charges for these requests (ARCHITECTURE.md, "Money": "fal billing where the key allows"). null when
     * the key may not read billing (fal requires an Admin key): the caller keeps its estimate.
     */
    async charges(requestIds: string[], opts: { since: number; signal?: AbortSignal }): Promise<FalCharge[] | null> {
      const out: FalCharge[] = [];
      for (let i = 0; i < requestIds.length; i += 50) {
        const q = new URLSearchParams({ start: new Date(opts.since).toISOString(), limit: '100' });
        for (const id of requestIds.slice(i, i + 50)) q.append('request_id', id);
        let body: Record<string, unknown>;
        try {
          body = await get(`/models/billing-events?${q}`, 'required', opts.signal);
        } catch (err) {
          if (err instanceof ProviderError && err.status === 403) return null;
          throw err;
        }
        const page = billingPageSchema.safeParse(body);
        if (!page.success) throw malformedError(false, 'billing without billing_events');
        for (const e of page.data.billing_events) {
          const r = billingEventSchema.safeParse(e);
          if (r.success)
            out.push({
              requestId: r.data.request_id,
              endpointId: r.data.endpoint_id ?? null,
              usd: r.data.cost_total,
              units: r.data.output_units ?? null,
              unitPrice: r.data.unit_price ?? null,
            });
        }
      }
      return out;
    },
  };
}

export type FalPlatformApi = ReturnType<typeof createPlatformApi>;
