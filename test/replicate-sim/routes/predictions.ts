// Prediction endpoints: the three create routes (with Prefer: wait and Cancel-After), get, list
// (keyset cursors, newest first) and cancel.
import { createHash } from 'node:crypto';
import type { Ctx, Reply } from '../http.ts';
import { json, notFound, parseJsonBody, problem } from '../http.ts';
import type { CatalogueModel } from '../catalogue.ts';
import { findByVersion, findModel, fullName } from '../catalogue.ts';
import { validateInput, withDefaults } from '../validate.ts';
import type { OutputFile, SimPrediction } from '../lifecycle.ts';
import { phaseAt, TERMINAL, view } from '../lifecycle.ts';
import { DEFAULTS, inputHash, newId } from '../state.ts';
import { CONTENT_TYPES, rng, textTokens } from '../outputs.ts';
import type { SimState } from '../state.ts';

export const DEFAULT_DEPLOYMENTS: Record<string, string> = {
  'kiln/flux-schnell-prod': 'black-forest-labs/flux-schnell',
};

export const DEFAULT_FAIL_ERROR = 'CUDA out of memory. Tried to allocate 2.00 GiB (E1001)';

const invalidVersion = () =>
  problem(422, 'Invalid version or not permitted', "The specified version does not exist (or perhaps you don't have permission to use it?)");

export function viewCtx(ctx: Ctx, forList = false) {
  return { baseUrl: ctx.baseUrl, origin: ctx.origin, now: ctx.state.clock.now(), retentionMs: ctx.state.retentionMs, forList };
}

/** Which model a create request is about (for model-scoped faults), without side effects. */
export function createModelOf(ctx: Ctx): string | undefined {
  const [o, n] = ctx.params;
  if (ctx.url.pathname.includes('/models/')) return `${o}/${n}`;
  if (ctx.url.pathname.includes('/deployments/')) {
    return (ctx.state.scenario.deployments ?? DEFAULT_DEPLOYMENTS)[`${o}/${n}`];
  }
  try {
    const v = String(JSON.parse(ctx.body.toString('utf8')).version ?? '');
    if (/^[0-9a-f]{64}$/.test(v)) {
      const m = findByVersion(v);
      return m && fullName(m);
    }
    return v.split(':')[0];
  } catch {
    return undefined;
  }
}

export function predictionModelOf(ctx: Ctx): string | undefined {
  const p = ctx.state.byId.get(ctx.params[0] ?? '');
  return p && fullName(p.model);
}

/** `30s`, `5m`, `1h30m45s`, or a bare number of seconds → ms. Minimum 5 s. */
export function parseDuration(v: string): number | null {
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/.exec(s);
  if (!m || s === '') return null;
  const [, h, min, sec, ms] = m;
  return ((Number(h ?? 0) * 60 + Number(min ?? 0)) * 60 + Number(sec ?? 0)) * 1000 + Number(ms ?? 0);
}

function resolveTarget(
  ctx: Ctx,
  via: 'predictions' | 'models' | 'deployments',
  body: any,
): { model: CatalogueModel; versionShown: string; deployment?: string } | Reply {
  const state = ctx.state;
  const hide = state.scenario.hideOfficialVersion !== false;
  if (via === 'models') {
    const m = findModel(ctx.params[0]!, ctx.params[1]!);
    if (!m || !m.official) return notFound();
    if (body.version !== undefined) {
      return problem(422, 'Input validation failed', '- (root): Additional property version is not allowed\n', {
        invalid_fields: [{ type: 'additional_property_not_allowed', field: '(root)', description: 'Additional property version is not allowed' }],
      });
    }
    return { model: m, versionShown: hide ? 'hidden' : m.versionId };
  }
  if (via === 'deployments') {
    const name = `${ctx.params[0]}/${ctx.params[1]}`;
    const target = (state.scenario.deployments ?? DEFAULT_DEPLOYMENTS)[name];
    const m = target ? findModel(...(target.split('/') as [string, string])) : undefined;
    if (!m) return notFound();
    return { model: m, versionShown: m.versionId, deployment: name };
  }
  const version = body.version;
  if (typeof version !== 'string' || version === '') {
    return problem(422, 'Input validation failed', '- (root): version is required\n', {
      invalid_fields: [{ type: 'required', field: '(root)', description: 'version is required' }],
    });
  }
  if (/^[0-9a-f]{64}$/.test(version)) {
    const m = findByVersion(version);
    return m ? { model: m, versionShown: m.versionId } : invalidVersion();
  }
  const mm = /^([\w.-]+)\/([\w.-]+)(?::([0-9a-f]{64}))?$/.exec(version);
  if (!mm) return invalidVersion();
  const m = findModel(mm[1]!, mm[2]!);
  if (!m) return invalidVersion();
  if (mm[3]) return mm[3] === m.versionId ? { model: m, versionShown: m.versionId } : invalidVersion();
  return m.official ? { model: m, versionShown: hide ? 'hidden' : m.versionId } : invalidVersion();
}

function plan(state: SimState, model: CatalogueModel, input: Record<string, unknown>, effective: Record<string, unknown>, id: string) {
  const name = fullName(model);
  const b = { ...model.behaviour, ...state.scenario.models?.[name] };
  const prompt = String(input.prompt ?? '');
  // Per-input overrides so a UI test or the demo can make one specific prediction misbehave.
  let coldBootMs = b.coldBootMs;
  let runMs = b.runMs;
  let outcome = b.outcome ?? 'succeeded';
  let unknownStatus = b.unknownStatus;
  const jitter = Math.max(0, Math.min(0.9, b.runJitter ?? 0));
  if (jitter > 0) {
    const r = rng(`${id}:timing`);
    coldBootMs = Math.round(coldBootMs * (1 + jitter * (2 * r() - 1)));
    runMs = Math.round(runMs * (1 + jitter * (2 * r() - 1)));
  }
  if (prompt.includes('[fail]')) outcome = 'failed';
  if (prompt.includes('[slow]')) coldBootMs = Math.max(coldBootMs, 180_000);
  if (prompt.includes('[long]')) runMs = Math.max(runMs, 600_000);
  if (prompt.includes('[queued]')) unknownStatus = 'queued';
  const seed = Number.isInteger(effective.seed) ? Number(effective.seed) : Math.floor(rng(id)() * 2 ** 31);
  const steps = Number.isInteger(effective.num_inference_steps) ? Number(effective.num_inference_steps) : model.defaultSteps;
  return {
    coldBootMs,
    runMs,
    outcome,
    unknownStatus,
    seed,
    steps,
    error: b.error ?? DEFAULT_FAIL_ERROR,
    earlyOutput: b.earlyOutput ?? false,
    logStyle: b.logStyle ?? 'mixed',
  };
}

function outputFiles(model: CatalogueModel, effective: Record<string, unknown>): OutputFile[] {
  const file = (name: string, format: string): OutputFile => ({ name, format, contentType: CONTENT_TYPES[format]! });
  if (model.kind === 'text') return [];
  if (model.kind === 'video') return [file('output.mp4', 'mp4')];
  if (model.kind === 'upscale') return [file('output.png', 'png')];
  const format = String(effective.output_format ?? model.defaultFormat ?? 'webp');
  const n = Number.isInteger(effective.num_outputs) ? Number(effective.num_outputs) : 1;
  return Array.from({ length: n }, (_, i) => file(`out-${i}.${format}`, format));
}

async function holdForWait(ctx: Ctx, p: SimPrediction, seconds: number): Promise<void> {
  const state = ctx.state;
  const capMs = Math.min(seconds * 1000, state.scenario.preferWaitCapMs ?? DEFAULTS.preferWaitCapMs);
  const realStart = Date.now();
  const simStart = state.clock.now();
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      off();
      ctx.req.off('close', done);
      resolve();
    };
    const check = () => {
      const now = state.clock.now();
      if (phaseAt(p, now).terminal || Date.now() - realStart >= capMs || now - simStart >= seconds * 1000 || ctx.res.destroyed) return done();
      timer = setTimeout(check, 20);
    };
    const off = state.clock.onChange(() => {
      clearTimeout(timer);
      check();
    });
    ctx.req.on('close', done);
    check();
  });
}

export async function createPrediction(ctx: Ctx, via: 'predictions' | 'models' | 'deployments'): Promise<Reply> {
  const state = ctx.state;
  const parsed = parseJsonBody(ctx);
  if (!parsed.ok) return parsed.reply;
  const body = parsed.value ?? {};
  const target = resolveTarget(ctx, via, body);
  if ('status' in target) return target;
  if (state.scenario.credit === false) {
    return problem(
      402,
      'Insufficient credit',
      'You have insufficient credit to run this model. Go to https://replicate.com/account/billing#billing to purchase credit.',
    );
  }
  const invalid = validateInput(target.model, body.input);
  if (invalid.length) {
    return problem(422, 'Input validation failed', invalid.map((f) => `- ${f.field}: ${f.description}\n`).join(''), { invalid_fields: invalid });
  }
  const now = state.clock.now();
  let deadlineAt: number | undefined;
  const cancelAfter = ctx.req.headers['cancel-after'];
  if (typeof cancelAfter === 'string') {
    const ms = parseDuration(cancelAfter);
    if (ms === null) return problem(400, 'Invalid Cancel-After header', `Could not parse duration "${cancelAfter}" (use e.g. 30s, 5m, 1h30m45s)`);
    deadlineAt = now + Math.max(5000, ms);
  }
  const input = body.input as Record<string, unknown>;
  const effective = withDefaults(target.model, input);
  const id = newId();
  const pl = plan(state, target.model, input, effective, id);
  const p: SimPrediction = {
    id,
    model: target.model,
    versionShown: target.versionShown,
    input,
    effectiveInput: effective,
    token: ctx.token,
    createdAt: now,
    maxRunMs: state.scenario.maxRunMs ?? DEFAULTS.maxRunMs,
    ...pl,
    deadlineAt,
    deployment: target.deployment,
    inputHash: inputHash(fullName(target.model), input),
    deliveryHash: createHash('sha256').update(`delivery:${id}`).digest('hex').slice(0, 40),
    files: outputFiles(target.model, effective),
    tokens: target.model.kind === 'text' ? textTokens(String(effective.prompt ?? ''), Number(effective.max_tokens ?? 512)) : [],
  };
  state.add(p);
  const prefer = /^\s*wait(?:=(\d+))?\s*$/.exec(String(ctx.req.headers.prefer ?? ''));
  if (prefer) {
    await holdForWait(ctx, p, prefer[1] ? Math.max(1, Number(prefer[1])) : 60);
    const ph = phaseAt(p, state.clock.now());
    const v = view(p, viewCtx(ctx));
    if (state.scenario.syncQuirks) {
      if (!ph.terminal) v.status = 'starting';
      else if (ph.status === 'succeeded') v.status = 'processing';
    }
    return json(ph.terminal ? 201 : (state.scenario.waitIncompleteStatus ?? 201), v);
  }
  return json(201, view(p, viewCtx(ctx)));
}

export function getPrediction(ctx: Ctx): Reply {
  const p = ctx.state.byId.get(ctx.params[0]!);
  return p ? json(200, view(p, viewCtx(ctx))) : notFound();
}

export function cancelPrediction(ctx: Ctx): Reply {
  const p = ctx.state.byId.get(ctx.params[0]!);
  if (!p) return notFound();
  const now = ctx.state.clock.now();
  if (!TERMINAL.has(phaseAt(p, now).status) && p.canceledAt === undefined) p.canceledAt = now;
  return json(200, view(p, viewCtx(ctx)));
}

export function listPredictions(ctx: Ctx): Reply {
  const state = ctx.state;
  const q = ctx.url.searchParams;
  const after = q.get('created_after') ? Date.parse(q.get('created_after')!) : -Infinity;
  const before = q.get('created_before') ? Date.parse(q.get('created_before')!) : Infinity;
  if (Number.isNaN(after) || Number.isNaN(before)) return problem(400, 'Invalid date', 'created_after and created_before must be ISO 8601 date-times');
  const newestFirst: SimPrediction[] = [];
  for (let i = state.predictions.length - 1; i >= 0; i--) {
    const p = state.predictions[i]!;
    if (p.createdAt > after && p.createdAt < before) newestFirst.push(p);
  }
  // Offset cursors are safe here only because they are taken from the newest end at the time of the
  // first page; new predictions would shift them, so the cursor pins the newest id it started from.
  const raw = q.get('cursor');
  let list = newestFirst;
  if (raw) {
    const pinned = Buffer.from(raw, 'base64url').toString().split(':')[0];
    const at = newestFirst.findIndex((p) => p.id === pinned);
    if (at > 0) list = newestFirst.slice(at);
  }
  const pageSize = state.scenario.pageSize ?? DEFAULTS.pageSize;
  const offsetRaw = raw ? Number(Buffer.from(raw, 'base64url').toString().split(':')[1] ?? 0) : 0;
  const offset = Number.isFinite(offsetRaw) ? Math.max(0, offsetRaw) : 0;
  const pin = list[0]?.id ?? '';
  const link = (o: number) => {
    const u = new URL(ctx.url.pathname + ctx.url.search, ctx.origin);
    u.searchParams.set('cursor', Buffer.from(`${pin}:${o}`).toString('base64url'));
    return u.toString();
  };
  const vc = viewCtx(ctx, true);
  return json(200, {
    next: offset + pageSize < list.length ? link(offset + pageSize) : null,
    previous: offset > 0 ? link(Math.max(0, offset - pageSize)) : null,
    results: list.slice(offset, offset + pageSize).map((p) => view(p, vc)),
  });
}
