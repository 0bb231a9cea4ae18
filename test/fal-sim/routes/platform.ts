// The Platform API stand-in for https://api.fal.ai/v1 (reference §11–§12): model search with the
// per-model OpenAPI, unit prices, price estimates, and the request history a client reconciles a
// lost submit against. Errors use the platform's `{error:{type, message}}` dialect.
import type { Ctx, Reply } from '../http.ts';
import { json, parseJson, platformError } from '../http.ts';
import { CATALOGUE, findEndpoint, openapiFor } from '../catalogue.ts';
import type { CatalogueEndpoint } from '../catalogue.ts';
import { iso, resultShape } from '../lifecycle.ts';
import type { SimJob } from '../lifecycle.ts';
import { outputJson } from '../outputs.ts';

const ids = (q: URLSearchParams, name: string) =>
  q
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);

function page<T>(q: URLSearchParams, items: T[], def: number, max: number): { items: T[]; next_cursor: string | null; has_more: boolean } | Reply {
  const limit = q.get('limit') === null ? def : Number(q.get('limit'));
  if (!Number.isInteger(limit) || limit < 1 || limit > max) return platformError(400, 'validation_error', `limit must be an integer from 1 to ${max}`);
  const raw = q.get('cursor');
  const offset = raw ? Number(Buffer.from(raw, 'base64').toString()) : 0;
  if (!Number.isInteger(offset) || offset < 0) return platformError(400, 'validation_error', 'Invalid cursor');
  const more = offset + limit < items.length;
  return { items: items.slice(offset, offset + limit), next_cursor: more ? Buffer.from(String(offset + limit)).toString('base64') : null, has_more: more };
}

function modelItem(ctx: Ctx, e: CatalogueEndpoint, expand: boolean) {
  return {
    endpoint_id: e.id,
    metadata: {
      display_name: e.displayName,
      category: e.category,
      description: e.description,
      status: 'active',
      tags: e.tags,
      updated_at: '2026-10-01T12:00:00Z',
      is_favorited: false,
      thumbnail_url: `${ctx.urls.cdnUrl}/thumbnails/${e.id.replace(/\//g, '_')}.jpg`,
      model_url: `https://fal.ai/models/${e.id}`,
      license_type: 'commercial',
      date: '2025-01-15T00:00:00Z',
      highlighted: false,
      pinned: false,
      kind: 'inference',
      duration_estimate: e.durationEstimate,
    },
    ...(expand ? { openapi: openapiFor(e, ctx.urls.queueUrl) } : {}),
  };
}

export function listModels(ctx: Ctx): Reply {
  const q = ctx.url.searchParams;
  const wanted = ids(q, 'endpoint_id');
  if (wanted.length > 50) return platformError(400, 'validation_error', 'At most 50 endpoint_id values per request');
  const text = (q.get('q') ?? '').trim().toLowerCase();
  const category = q.get('category');
  const status = q.get('status');
  const expand = q
    .getAll('expand')
    .flatMap((v) => v.split(','))
    .includes('openapi-3.0');
  const found = CATALOGUE.filter(
    (e) =>
      (!wanted.length || wanted.includes(e.id)) &&
      (!category || e.category === category) &&
      (!status || status === 'active') &&
      (!text || [e.id, e.displayName, e.description, e.category, ...e.tags].some((s) => s.toLowerCase().includes(text))),
  );
  const p = page(q, found, expand ? 10 : 20, expand ? 50 : 100);
  if ('status' in p) return p;
  return json(200, { models: p.items.map((e) => modelItem(ctx, e, expand)), next_cursor: p.next_cursor, has_more: p.has_more });
}

export function pricing(ctx: Ctx): Reply {
  const wanted = ids(ctx.url.searchParams, 'endpoint_id');
  if (!wanted.length || wanted.length > 50) return platformError(400, 'validation_error', 'endpoint_id is required (1 to 50 values)');
  const known = wanted.map(findEndpoint).filter((e): e is CatalogueEndpoint => !!e);
  if (!known.length) return platformError(404, 'not_found', `No pricing found for ${wanted.join(', ')}`);
  return json(200, {
    prices: known.map((e) => ({ endpoint_id: e.id, unit_price: e.price.unit_price, unit: e.price.unit, currency: 'USD' })),
    next_cursor: null,
    has_more: false,
  });
}

export function estimate(ctx: Ctx): Reply {
  const parsed = parseJson(ctx.body);
  const body = parsed.ok
    ? (parsed.value as { estimate_type?: unknown; endpoints?: Record<string, { call_quantity?: number; unit_quantity?: number }> })
    : undefined;
  const type = body?.estimate_type;
  if (!body || (type !== 'historical_api_price' && type !== 'unit_price') || !body.endpoints || typeof body.endpoints !== 'object') {
    return platformError(
      400,
      'validation_error',
      'Expected {estimate_type: "historical_api_price" | "unit_price", endpoints: {<id>: {call_quantity | unit_quantity}}}',
    );
  }
  let total = 0;
  for (const [id, q] of Object.entries(body.endpoints)) {
    const e = findEndpoint(id);
    if (!e) return platformError(404, 'not_found', `Unknown endpoint ${id}`);
    const n = Number(type === 'unit_price' ? q?.unit_quantity : q?.call_quantity);
    if (!Number.isFinite(n) || n < 0) return platformError(400, 'validation_error', `Invalid quantity for ${id}`);
    // A historical call averages one unit per call in the simulator.
    total += n * e.price.unit_price;
  }
  return json(200, { estimate_type: type, total_cost: Math.round(total * 1e6) / 1e6, currency: 'USD' });
}

function parseTime(v: string | null, fallback: number): number | null {
  if (v === null) return fallback;
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  return Number.isFinite(t) ? t : null;
}

/** What a finished job is billed for: images per image, video per second, compute per run second. */
export function billedUnits(j: SimJob, runSeconds: number): number {
  if (j.endpoint.price.unit === 'image') return j.files.length;
  if (j.endpoint.price.unit === 'second') return Number(j.effectiveInput.duration ?? 5);
  return Math.round(runSeconds * 1000) / 1000;
}

/** GET /models/billing-events (Admin keys only): one event per successful request of the account. */
export function billingEvents(ctx: Ctx): Reply {
  const { state } = ctx;
  if (!state.scenario.adminKeys?.includes(ctx.key)) return platformError(403, 'authorization_error', 'This endpoint requires an Admin API key');
  const q = ctx.url.searchParams;
  const now = state.clock.now();
  const start = parseTime(q.get('start'), now - 24 * 3600 * 1000);
  const end = parseTime(q.get('end'), now);
  if (start === null || end === null) return platformError(400, 'validation_error', 'start and end must be ISO 8601 dates or YYYY-MM-DD');
  const requestIds = ids(q, 'request_id');
  const endpointIds = ids(q, 'endpoint_id');
  const events = [];
  for (const j of state.jobs) {
    if (j.account !== ctx.account) continue;
    if (requestIds.length && !requestIds.includes(j.id)) continue;
    if (endpointIds.length && !endpointIds.includes(j.endpoint.id)) continue;
    const v = state.view(j, now);
    if (v.status !== 'COMPLETED' || !resultShape(j, v.slot).success || v.slot.startAt === null) continue;
    if (v.slot.endAt < start || v.slot.endAt > end) continue;
    const units = billedUnits(j, (v.slot.endAt - v.slot.startAt) / 1000);
    const cost = Math.round(units * j.endpoint.price.unit_price * 1e6) / 1e6;
    events.push({
      request_id: j.id,
      endpoint_id: j.endpoint.id,
      timestamp: iso(v.slot.endAt),
      output_units: units,
      unit_price: j.endpoint.price.unit_price,
      percent_discount: 0,
      cost_subtotal: cost,
      cost_discount: 0,
      cost_total: cost,
      cost_estimate_nano_usd: Math.round(cost * 1e9),
    });
  }
  const p = page(q, events.reverse(), 100, 10_000);
  if ('status' in p) return p;
  return json(200, { billing_events: p.items, next_cursor: p.next_cursor, has_more: p.has_more });
}

/** GET /models/requests/by-endpoint: this key's requests to one endpoint, newest first. */
export function requestHistory(ctx: Ctx): Reply {
  const { state } = ctx;
  const q = ctx.url.searchParams;
  const endpointId = q.get('endpoint_id');
  if (!endpointId) return platformError(400, 'validation_error', 'endpoint_id is required');
  const now = state.clock.now();
  const requestIds = ids(q, 'request_id');
  const start = parseTime(q.get('start'), now - (requestIds.length ? 90 : 1) * 24 * 3600 * 1000);
  const end = parseTime(q.get('end'), now);
  if (start === null || end === null) return platformError(400, 'validation_error', 'start and end must be ISO 8601 dates or YYYY-MM-DD');
  const statusFilter = q.get('status');
  if (statusFilter && !['success', 'error', 'user_error'].includes(statusFilter))
    return platformError(400, 'validation_error', 'status must be success, error or user_error');
  const sortBy = q.get('sort_by');
  const payloads = q
    .getAll('expand')
    .flatMap((v) => v.split(','))
    .includes('payloads');
  const delay = state.scenario.historyDelayMs ?? 0;
  const rows: (Record<string, unknown> & { duration: number | null; _sent: number; _ended: number; _seq: number })[] = [];
  for (const j of state.jobs) {
    if (j.account !== ctx.account || j.endpoint.id !== endpointId) continue;
    if (j.submittedAt + delay > now || j.submittedAt < start || j.submittedAt > end) continue;
    if (requestIds.length && !requestIds.includes(j.id)) continue;
    const v = state.view(j, now);
    const ended = v.status === 'COMPLETED';
    if (!ended && state.scenario.historyIncludesPending === false) continue;
    const shape = ended ? resultShape(j, v.slot) : null;
    const code = shape?.status ?? null;
    const klass = code === null ? null : code < 400 ? 'success' : code < 500 ? 'user_error' : 'error';
    if (statusFilter && klass !== statusFilter) continue;
    const started = v.slot.startAt !== null && now >= v.slot.startAt ? v.slot.startAt : null;
    const syncMode = j.effectiveInput.sync_mode === true;
    rows.push({
      request_id: j.id,
      endpoint_id: j.endpoint.id,
      sent_at: iso(j.submittedAt),
      started_at: started === null ? null : iso(started),
      ended_at: ended ? iso(v.slot.endAt) : null,
      status_code: code,
      duration: ended && started !== null ? (v.slot.endAt - started) / 1000 : null,
      ...(payloads && j.headers.storeIo !== '0' && !syncMode
        ? {
            json_input: j.input,
            ...(shape?.success ? { json_output: outputJson(j, ctx.urls.cdnUrl, (v.slot.endAt - (started ?? v.slot.endAt)) / 1000) } : {}),
          }
        : {}),
      _sent: j.submittedAt,
      _ended: ended ? v.slot.endAt : Infinity,
      _seq: rows.length,
    });
  }
  // Newest first; ties (same instant) by submit order, newest first too.
  type Row = (typeof rows)[number];
  const key = sortBy === 'duration' ? (r: Row) => r.duration ?? -1 : sortBy === 'ended_at' ? (r: Row) => r._ended : (r: Row) => r._sent;
  rows.sort((a, b) => key(b) - key(a) || b._seq - a._seq);
  const p = page(q, rows, 50, 100);
  if ('status' in p) return p;
  return json(200, { items: p.items.map(({ _sent, _ended, _seq, ...r }) => r), next_cursor: p.next_cursor, has_more: p.has_more });
}
