// The queue API (reference §3–§7): submit, status, result and cancel, under the stand-in for
// https://queue.fal.run. Submit never validates the input (the "runner" does, and the 422 appears
// only at the result fetch); every answer carries x-fal-request-id.
import sharp from 'sharp';
import type { Ctx, Reply } from '../http.ts';
import { detail, json, parseJson } from '../http.ts';
import { appOf, findEndpoint } from '../catalogue.ts';
import type { CatalogueEndpoint } from '../catalogue.ts';
import type { SimJob, View } from '../lifecycle.ts';
import { logsAt, resultShape, statusError } from '../lifecycle.ts';
import { DEFAULTS, inputHash, newRequestId } from '../state.ts';
import type { SimState } from '../state.ts';
import { outputJson, planFiles, renderFile, seedFor } from '../outputs.ts';
import { validateInput, withDefaults } from '../validate.ts';
import type { DetailItem } from '../validate.ts';
import type { Fault, JobOutcome } from '../types.ts';

/** `<prefix>/requests/<id>[/status[/stream]|/cancel]`: prefix is owner/app, the full id, or with a namespace. */
export const REQUEST_PATH = /^\/queue\/(.+?)\/requests\/([^/]+)(\/status\/stream|\/status|\/cancel)?\/?$/;

export function jobOf(ctx: Ctx): SimJob | undefined {
  const [prefix, id] = ctx.params;
  const j = ctx.state.byId.get(id ?? '');
  if (!j || j.account !== ctx.account) return undefined;
  if (prefix !== appOf(j.endpoint.id) && prefix !== j.endpoint.id) return undefined;
  if (ctx.state.gone(j, ctx.state.clock.now())) return undefined;
  return j;
}

export const requestNotFound = (id: string) => detail(404, `Request ${id} not found`, { 'x-fal-request-id': id });

function urlsOf(ctx: Ctx, j: SimJob) {
  const base = `${ctx.urls.queueUrl}/${appOf(j.endpoint.id)}/requests/${j.id}`;
  return { request_id: j.id, response_url: base, status_url: `${base}/status`, cancel_url: `${base}/cancel` };
}

function appNotFound(path: string): Reply {
  const app = path.split('/')[1] ?? path;
  return detail(404, `Application "${app}" not found`);
}

/** x-fal-request-timeout: seconds as a decimal string; the platform needs more than 0.1 s. */
function parseTimeout(v: string): number | null {
  const n = Number(v.trim());
  return Number.isFinite(n) && n > 0.1 && /^\s*\d+(\.\d+)?\s*$/.test(v) ? n : null;
}

function header(ctx: Ctx, name: string): string | undefined {
  const v = ctx.req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

const sourceMissing = (url: string): DetailItem[] => [
  {
    loc: ['body', 'image_url'],
    msg: 'Failed to download the file. Please check if the URL is accessible.',
    type: 'file_download_error',
    url: 'https://docs.fal.ai/errors#file_download_error',
    input: url,
  },
];

/** The "runner" fetches an image input: from the simulated CDN or a data: URI (no other network). */
async function sourceImage(state: SimState, cdnUrl: string, url: unknown): Promise<{ width: number; height: number } | DetailItem[] | undefined> {
  if (typeof url !== 'string') return undefined;
  let bytes: Buffer | undefined;
  if (url.startsWith(`${cdnUrl}/`)) {
    const m = state.media.get(url.slice(cdnUrl.length + 1));
    if (!m?.bytes || (m.expiresAt !== null && state.clock.now() >= m.expiresAt)) return sourceMissing(url);
    bytes = m.bytes;
  } else if (url.startsWith('data:')) {
    const comma = url.indexOf(',');
    bytes = Buffer.from(url.slice(comma + 1), url.slice(0, comma).endsWith(';base64') ? 'base64' : 'utf8');
  } else if (/^https?:\/\//.test(url)) {
    return undefined; // a public URL the simulator cannot fetch: assume a 128 px image
  } else {
    return sourceMissing(url);
  }
  try {
    const meta = await sharp(bytes).metadata();
    return { width: meta.width ?? 128, height: meta.height ?? 128 };
  } catch {
    return [
      {
        loc: ['body', 'image_url'],
        msg: 'Could not read the image: unsupported or corrupt file.',
        type: 'image_load_error',
        url: 'https://docs.fal.ai/errors#image_load_error',
        input: url,
      },
    ];
  }
}

function plan(state: SimState, e: CatalogueEndpoint, input: Record<string, unknown>, fault: Fault | undefined) {
  const b = { ...e.behaviour, ...state.scenario.endpoints?.[e.id] };
  const prompt = String(input.prompt ?? '');
  let outcome: JobOutcome = b.outcome ?? 'success';
  let startupMs = b.startupMs;
  let runMs = b.runMs;
  // Per-input tags so a UI test or the demo can make one run misbehave.
  if (prompt.includes('[fail]')) outcome = 'runner-error';
  if (prompt.includes('[nsfw]')) outcome = 'content-policy';
  if (prompt.includes('[timeout]')) outcome = 'start-timeout';
  if (prompt.includes('[slow]')) startupMs = Math.max(startupMs, 180_000);
  if (prompt.includes('[long]')) runMs = Math.max(runMs, 600_000);
  const unknownStatus = prompt.includes('[unknown-status]') ? 'IN_WARMUP' : b.unknownStatus;
  if (fault?.kind === 'runner-error' || fault?.kind === 'start-timeout' || fault?.kind === 'invalid-input') outcome = fault.kind;
  return {
    outcome,
    startupMs,
    runMs,
    unknownStatus,
    errorType: b.errorType ?? 'runner_server_error',
    error: b.error ?? 'CUDA out of memory. Tried to allocate 2.00 GiB',
    statusError: b.statusError,
  };
}

export async function submit(ctx: Ctx, fault: Fault | undefined): Promise<Reply> {
  const { state } = ctx;
  const path = ctx.params[0]!;
  const e = findEndpoint(path);
  if (!e) return appNotFound(path);
  if (state.scenario.account === 'locked') {
    return detail(403, 'User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing.');
  }
  const parsed = parseJson(ctx.body);
  if (!parsed.ok) return detail(400, `Invalid JSON body: ${parsed.error}`);
  const input = parsed.value ?? {};
  const now = state.clock.now();
  const maxQueue = ctx.url.searchParams.get('fal_max_queue_length');
  if (maxQueue !== null) {
    const limit = Number(maxQueue);
    const queued = state.jobs.filter((j) => j.account === ctx.account && state.view(j, now).status === 'IN_QUEUE').length;
    if (Number.isFinite(limit) && queued >= limit) return detail(429, `Queue is full: ${queued} requests are waiting (fal_max_queue_length=${limit}).`);
  }
  const rawTimeout = header(ctx, 'x-fal-request-timeout');
  const timeoutS = rawTimeout === undefined ? null : parseTimeout(rawTimeout);
  if (rawTimeout !== undefined && timeoutS === null)
    return detail(400, `Invalid x-fal-request-timeout "${rawTimeout}": expected a number of seconds greater than 0.1.`);
  const rawLifecycle = header(ctx, 'x-fal-object-lifecycle-preference');
  let mediaLifetimeMs: number | null | undefined;
  if (rawLifecycle !== undefined) {
    const pref = parseJson(Buffer.from(rawLifecycle));
    const secs =
      pref.ok && pref.value && typeof pref.value === 'object'
        ? (pref.value as { expiration_duration_seconds?: unknown }).expiration_duration_seconds
        : undefined;
    if (!pref.ok || (secs !== null && secs !== undefined && (typeof secs !== 'number' || secs < 0))) {
      return detail(400, 'Invalid x-fal-object-lifecycle-preference: expected JSON {"expiration_duration_seconds": seconds or null}.');
    }
    mediaLifetimeMs = secs === null ? null : typeof secs === 'number' ? secs * 1000 : undefined;
  }
  const id = newRequestId();
  const obj = input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const effective = withDefaults(e, obj);
  const p = plan(state, e, effective, fault);
  let detailItems = validateInput(e, input);
  let sourceSize: { width: number; height: number } | undefined;
  if (!detailItems.length && e.kind === 'upscale') {
    const src = await sourceImage(state, ctx.urls.cdnUrl, effective.image_url);
    if (Array.isArray(src)) detailItems = src;
    else sourceSize = src;
  }
  if (detailItems.length || p.outcome === 'invalid-input') {
    p.outcome = 'invalid-input';
    p.runMs = Math.min(p.runMs, 200); // the runner rejects the input as soon as it starts
    if (!detailItems.length)
      detailItems = [
        {
          loc: ['body', 'prompt'],
          msg: 'Value error, the prompt could not be processed',
          type: 'value_error',
          url: 'https://docs.fal.ai/errors#value_error',
          input: effective.prompt,
        },
      ];
  }
  const seed = seedFor(effective, id);
  const job: SimJob = {
    id,
    endpoint: e,
    account: ctx.account,
    input,
    effectiveInput: effective,
    inputHash: inputHash(e.id, input),
    submittedAt: now,
    ...p,
    detail: detailItems,
    startDeadlineAt: now + (timeoutS !== null ? timeoutS * 1000 : (state.scenario.defaultStartTimeoutMs ?? DEFAULTS.defaultStartTimeoutMs)),
    userTimeout: timeoutS !== null,
    headers: {
      ...(rawTimeout !== undefined ? { requestTimeout: rawTimeout } : {}),
      ...(rawLifecycle !== undefined ? { lifecycle: rawLifecycle } : {}),
      ...(header(ctx, 'x-fal-queue-priority') ? { priority: header(ctx, 'x-fal-queue-priority') } : {}),
      ...(header(ctx, 'x-fal-store-io') ? { storeIo: header(ctx, 'x-fal-store-io') } : {}),
      ...(header(ctx, 'x-fal-no-retry') ? { noRetry: header(ctx, 'x-fal-no-retry') } : {}),
    },
    ...(ctx.url.searchParams.get('fal_webhook') ? { webhook: ctx.url.searchParams.get('fal_webhook')! } : {}),
    mediaLifetimeMs,
    seed,
    steps: Number.isInteger(effective.num_inference_steps) ? Number(effective.num_inference_steps) : e.defaultSteps,
    files: planFiles(e, effective, id, sourceSize),
  };
  state.add(job);
  job.files.forEach((f, i) => state.media.set(f.path, { contentType: f.contentType, job, fileIndex: i, expiresAt: null }));
  const v = state.view(job, now);
  const body = state.scenario.minimalSubmit
    ? urlsOf(ctx, job)
    : { status: 'IN_QUEUE', ...urlsOf(ctx, job), queue_position: v.status === 'IN_QUEUE' ? v.queuePosition : 0 };
  return json(200, body, { 'x-fal-request-id': id });
}

/** The status body (reference §4); `logs` cumulative when asked for. */
export function statusBody(ctx: Ctx, j: SimJob, v: View, withLogs: boolean, logs?: unknown[]): Record<string, unknown> {
  const { state } = ctx;
  const now = state.clock.now();
  const body: Record<string, unknown> = { status: v.status === 'IN_QUEUE' ? (j.unknownStatus ?? v.status) : v.status, ...urlsOf(ctx, j) };
  if (v.status === 'IN_QUEUE') {
    body.queue_position = v.queuePosition;
    return body;
  }
  const off = state.scenario.logsWhenOff === 'empty' ? [] : null;
  body.logs = withLogs ? (logs ?? logsAt(j, v.slot, now, state.scenario)) : off;
  if (v.status === 'IN_PROGRESS') return body;
  body.metrics = v.slot.startAt !== null ? { inference_time: (v.slot.endAt - v.slot.startAt) / 1000 } : {};
  const err = statusError(j, v.slot, state.scenario);
  if (err) Object.assign(body, err);
  return body;
}

export function status(ctx: Ctx): Reply {
  const j = jobOf(ctx);
  if (!j) return requestNotFound(ctx.params[1]!);
  const v = ctx.state.view(j);
  const body = statusBody(ctx, j, v, ctx.url.searchParams.get('logs') === '1');
  return json(v.status === 'COMPLETED' ? 200 : 202, body, { 'x-fal-request-id': j.id });
}

export async function result(ctx: Ctx): Promise<Reply> {
  const j = jobOf(ctx);
  if (!j) return requestNotFound(ctx.params[1]!);
  const { state } = ctx;
  const now = state.clock.now();
  const v = state.view(j, now);
  const rid = { 'x-fal-request-id': j.id };
  // UNVERIFIED upstream (reference §6): fetching before COMPLETED. Modelled as a 400.
  if (v.status !== 'COMPLETED') return detail(400, 'Request is still in progress', rid);
  const shape = resultShape(j, v.slot);
  const runSeconds = v.slot.startAt === null ? 0 : (v.slot.endAt - v.slot.startAt) / 1000;
  let body = shape.body;
  if (shape.success) {
    let urls: string[] | undefined;
    if (j.effectiveInput.sync_mode === true) {
      urls = await Promise.all(j.files.map(async (f, i) => `data:${f.contentType};base64,${(await renderFile(j, i)).toString('base64')}`));
    }
    body = outputJson(j, ctx.urls.cdnUrl, runSeconds, urls);
  }
  if (state.resultExpired(j, JSON.stringify(body).length, now)) return requestNotFound(j.id);
  return json(shape.status, body, { ...shape.headers, ...rid });
}

export function cancel(ctx: Ctx): Reply {
  const j = jobOf(ctx);
  if (!j) return json(404, { status: 'NOT_FOUND' }, { 'x-fal-request-id': ctx.params[1]! });
  const now = ctx.state.clock.now();
  const rid = { 'x-fal-request-id': j.id };
  if (ctx.state.view(j, now).status === 'COMPLETED') return json(400, { status: 'ALREADY_COMPLETED' }, rid);
  if (j.canceledAt === undefined) ctx.state.cancel(j, now);
  return json(202, { status: 'CANCELLATION_REQUESTED' }, rid);
}
