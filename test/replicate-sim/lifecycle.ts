// A prediction's state is a pure function of its plan and the simulated clock: no timers, so
// advancing time (or freezing it) changes what every read sees, consistently, at once.
import type { CatalogueModel } from './catalogue.ts';
import { fullName } from './catalogue.ts';

export interface OutputFile {
  name: string;
  contentType: string;
  format: string;
}

export interface SimPrediction {
  id: string;
  model: CatalogueModel;
  /** What the API shows as `version` ("hidden" for official models, as Replicate does). */
  versionShown: string;
  input: Record<string, unknown>;
  /** Input with schema defaults applied (what the "model" runs with). */
  effectiveInput: Record<string, unknown>;
  token: string;
  createdAt: number;
  coldBootMs: number;
  runMs: number;
  maxRunMs: number;
  outcome: 'succeeded' | 'failed';
  error: string;
  unknownStatus?: string;
  earlyOutput: boolean;
  logStyle: 'mixed' | 'lf' | 'cr';
  steps: number;
  seed: number;
  deadlineAt?: number;
  canceledAt?: number;
  deployment?: string;
  inputHash: string;
  deliveryHash: string;
  files: OutputFile[];
  tokens: string[];
}

export interface Phase {
  status: string;
  startedAt: number | null;
  completedAt: number | null;
  /** 0..1 share of the natural run done (for logs and streamed tokens). */
  progress: number;
  error: string | null;
  terminal: boolean;
}

export const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'aborted']);
export const TIMEOUT_ERROR = 'Prediction timed out: it exceeded the maximum run time (E6716)';

export function phaseAt(p: SimPrediction, now: number): Phase {
  const start = p.createdAt + p.coldBootMs;
  let end = start + p.runMs;
  let endStatus: string = p.outcome;
  let endError: string | null = p.outcome === 'failed' ? p.error : null;
  if (p.runMs > p.maxRunMs) {
    end = start + p.maxRunMs;
    endStatus = 'failed';
    endError = TIMEOUT_ERROR;
  }
  if (p.deadlineAt !== undefined && p.deadlineAt < end) {
    end = p.deadlineAt;
    endStatus = p.deadlineAt < start ? 'aborted' : 'canceled';
    endError = null;
  }
  if (p.canceledAt !== undefined && p.canceledAt < end) {
    end = p.canceledAt;
    endStatus = 'canceled';
    endError = null;
  }
  const runProgress = (t: number) => (p.runMs <= 0 ? 1 : Math.min(1, Math.max(0, (t - start) / p.runMs)));
  if (now >= end) {
    const started = end >= start && endStatus !== 'aborted';
    return {
      status: endStatus,
      startedAt: started ? start : null,
      completedAt: end,
      progress: endStatus === 'succeeded' ? 1 : started ? runProgress(end) : 0,
      error: endError,
      terminal: true,
    };
  }
  if (now >= start) return { status: 'processing', startedAt: start, completedAt: null, progress: runProgress(now), error: null, terminal: false };
  return { status: p.unknownStatus ?? 'starting', startedAt: null, completedAt: null, progress: 0, error: null, terminal: false };
}

function bar(i: number, total: number): string {
  const pct = Math.floor((i / total) * 100);
  const fill = Math.floor((i / total) * 10);
  const secs = (n: number) => `00:${String(Math.floor(n)).padStart(2, '0')}`;
  const rate = 21.38;
  const rest = i === 0 ? '?' : secs((total - i) / rate);
  return `${String(pct).padStart(3)}%|${'█'.repeat(fill)}${' '.repeat(10 - fill)}| ${i}/${total} [${secs(i / rate)}<${rest}, ${i === 0 ? '?' : rate}it/s]`;
}

/** tqdm-style logs that grow with progress; `\r` between updates like tqdm writes them. */
export function logsAt(p: SimPrediction, ph: Phase): string {
  if (ph.startedAt === null) return '';
  const kind = p.model.kind;
  if (kind === 'text') {
    const n = Math.floor(ph.progress * p.tokens.length);
    return `Random seed used: \`${p.seed}\`\nNote: Random seed will not impact output if greedy decoding is used.\nFormatted prompt: \`${String(p.effectiveInput.prompt ?? '')}\`\n${n > 0 ? `Generated ${n} tokens\n` : ''}`;
  }
  const total = Math.max(1, p.steps);
  const done = Math.floor(ph.progress * total);
  const bars: string[] = [];
  for (let i = 0; i <= done; i++) bars.push(bar(i, total));
  const head = `Using seed: ${p.seed}\n`;
  const complete = done >= total;
  if (p.logStyle === 'lf') return head + bars.map((b) => b + '\n').join('');
  if (p.logStyle === 'cr') return head + bars.map((b) => '\r' + b).join('');
  return head + bars.join('\r') + (complete ? '\n' : '');
}

export interface ViewContext {
  baseUrl: string;
  origin: string;
  now: number;
  retentionMs: number;
  /** Drop logs and output (list endpoint results carry no logs). */
  forList?: boolean;
}

export const iso = (ms: number) => new Date(ms).toISOString();

export function deliveryUrl(origin: string, p: SimPrediction, f: OutputFile): string {
  return `${origin}/delivery/xezq/${p.deliveryHash}/${f.name}`;
}

function fullOutput(p: SimPrediction, origin: string): unknown {
  if (p.model.kind === 'text') return p.tokens;
  const urls = p.files.map((f) => deliveryUrl(origin, p, f));
  return p.model.output.type === 'array' ? urls : urls[0];
}

export function isRemoved(p: SimPrediction, ph: Phase, now: number, retentionMs: number): boolean {
  return ph.terminal && ph.completedAt !== null && now >= ph.completedAt + retentionMs;
}

export function view(p: SimPrediction, ctx: ViewContext): Record<string, unknown> {
  const ph = phaseAt(p, ctx.now);
  const removed = isRemoved(p, ph, ctx.now, ctx.retentionMs);
  let output: unknown = null;
  if (!removed) {
    if (ph.status === 'succeeded') output = fullOutput(p, ctx.origin);
    else if (p.model.kind === 'text' && ph.startedAt !== null) {
      const n = Math.floor(ph.progress * p.tokens.length);
      output = n > 0 || ph.status === 'processing' ? p.tokens.slice(0, n) : null;
    } else if (ph.status === 'processing' && p.earlyOutput && ph.progress >= 0.5) output = fullOutput(p, ctx.origin);
  }
  const urls: Record<string, string> = {
    cancel: `${ctx.baseUrl}/predictions/${p.id}/cancel`,
    get: `${ctx.baseUrl}/predictions/${p.id}`,
    web: `https://replicate.com/p/${p.id}`,
  };
  if (p.model.kind === 'text') urls.stream = `${ctx.origin}/stream/${p.id}`;
  const out: Record<string, unknown> = {
    id: p.id,
    model: fullName(p.model),
    version: p.versionShown,
    input: p.input,
    logs: removed ? '' : logsAt(p, ph),
    output,
    data_removed: removed,
    error: ph.error,
    status: ph.status,
    source: 'api',
    created_at: iso(p.createdAt),
    started_at: ph.startedAt === null ? null : iso(ph.startedAt),
    completed_at: ph.completedAt === null ? null : iso(ph.completedAt),
    urls,
  };
  if (p.deadlineAt !== undefined) out.deadline = iso(p.deadlineAt);
  if (p.deployment) out.deployment = p.deployment;
  if (ph.terminal && ph.startedAt !== null && ph.completedAt !== null) {
    const metrics: Record<string, number> = {
      predict_time: (ph.completedAt - ph.startedAt) / 1000,
      total_time: (ph.completedAt - p.createdAt) / 1000,
    };
    if (p.model.kind === 'text') {
      const n = Math.floor(ph.progress * p.tokens.length);
      metrics.input_token_count = String(p.effectiveInput.prompt ?? '')
        .split(/\s+/)
        .filter(Boolean).length;
      metrics.output_token_count = n;
      metrics.tokens_per_second = metrics.predict_time > 0 ? n / metrics.predict_time : n;
    }
    out.metrics = metrics;
  } else if (ph.terminal) {
    out.metrics = { total_time: ((ph.completedAt ?? ctx.now) - p.createdAt) / 1000 };
  }
  if (ctx.forList) delete out.logs;
  return out;
}
