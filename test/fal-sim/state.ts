// Everything the fal simulator remembers: jobs (and their cached schedule), uploaded and generated
// media, counters, rate-limit windows and the fault queue. One instance per running simulator.
import { createHash, randomUUID } from 'node:crypto';
import { SimClock } from '../replicate-sim/clock.ts';
import { stableStringify } from '../replicate-sim/state.ts';
import type { Counters, Fault, FaultEndpoint, JobSummary, Scenario } from './types.ts';
import type { SimJob, View } from './lifecycle.ts';
import { iso, progressAt, resultShape, statusAt } from './lifecycle.ts';
import { computeSchedule, type Slot } from './schedule.ts';

export const DEFAULTS = {
  concurrency: 10,
  queuePerMin: 6000,
  platformPerMin: 600,
  resultRetentionMs: 60 * 60 * 1000,
  largeResultRetentionMs: 6 * 60 * 1000,
  mediaRetentionMs: 7 * 24 * 60 * 60 * 1000,
  defaultStartTimeoutMs: 30 * 60 * 1000,
  maxUploadBytes: 100 * 1024 * 1024,
  streamPingMs: 1000,
};

/** A file on the simulated CDN: an upload (bytes known) or a job output (rendered on first GET). */
export interface MediaEntry {
  contentType: string;
  /** Uploads: the bytes; outputs: undefined until rendered. */
  bytes?: Buffer;
  job?: SimJob;
  fileIndex?: number;
  /** Simulated ms when it stops being served; null = never. Outputs: counted from the job's end. */
  expiresAt: number | null;
}

export interface PendingUpload {
  filePath: string;
  contentType: string;
  multipart: boolean;
  parts: Map<number, { etag: string; bytes: Buffer }>;
  lifetimeMs: number | null;
  key: string;
}

interface FaultSlot {
  fault: Fault;
  seen: number;
  applied: number;
}

/** Sliding 60 s window of request times (simulated ms). */
class Window {
  private times: number[] = [];
  admit(now: number, limit: number): number {
    while (this.times.length && this.times[0]! <= now - 60_000) this.times.shift();
    if (this.times.length >= limit) return Math.max(1, Math.ceil((this.times[0]! + 60_000 - now) / 1000));
    this.times.push(now);
    return 0;
  }
}

export function inputHash(endpointId: string, input: unknown): string {
  return createHash('sha256')
    .update(`${endpointId}\n${stableStringify(input)}`)
    .digest('hex')
    .slice(0, 16);
}

export const newRequestId = () => randomUUID();

function emptyCounters(): Counters {
  return { byEndpoint: {}, byStatus: {}, throttled: 0, submitsByInputHash: {}, authOnMedia: 0, total: 0 };
}

export class SimState {
  readonly clock = new SimClock();
  scenario: Scenario;
  readonly startScenario: Scenario;
  readonly key: string;
  jobs: SimJob[] = [];
  byId = new Map<string, SimJob>();
  media = new Map<string, MediaEntry>();
  uploads = new Map<string, PendingUpload>();
  renderCache = new Map<string, Promise<Buffer>>();
  counters: Counters = emptyCounters();
  private faults: FaultSlot[] = [];
  private windows = new Map<string, Window>();
  private schedule: Map<SimJob, Slot> | null = null;

  constructor(scenario: Scenario, key: string) {
    this.key = key;
    this.startScenario = scenario;
    this.scenario = scenario;
    this.loadScenario(scenario);
  }

  loadScenario(s: Scenario): void {
    this.scenario = s;
    this.faults = (s.faults ?? []).map((fault) => ({ fault, seen: 0, applied: 0 }));
    this.schedule = null;
  }

  reset(): void {
    this.jobs = [];
    this.byId.clear();
    this.media.clear();
    this.uploads.clear();
    this.renderCache.clear();
    this.counters = emptyCounters();
    this.windows.clear();
    this.clock.reset();
    this.loadScenario(this.startScenario);
  }

  /** The account a key belongs to, or null when the key is unknown or revoked. */
  accountOf(key: string): string | null {
    const s = this.scenario;
    if (s.revokedKeys?.includes(key)) return null;
    if (key === this.key || s.extraKeys?.includes(key) || s.adminKeys?.includes(key)) return 'main';
    if (s.otherAccountKeys?.includes(key)) return `other:${key}`;
    return null;
  }

  count(endpoint: string): void {
    this.counters.total++;
    this.counters.byEndpoint[endpoint] = (this.counters.byEndpoint[endpoint] ?? 0) + 1;
  }

  countStatus(status: number | 'reset'): void {
    const k = String(status);
    this.counters.byStatus[k] = (this.counters.byStatus[k] ?? 0) + 1;
    if (status === 429) this.counters.throttled++;
  }

  /** Seconds to wait when over the per-key limit, else admits the request and returns 0. */
  admit(key: string, bucket: 'queue' | 'platform'): number {
    const limits = this.scenario.rateLimits;
    const limit = bucket === 'queue' ? (limits?.queuePerMin ?? DEFAULTS.queuePerMin) : (limits?.platformPerMin ?? DEFAULTS.platformPerMin);
    const id = `${key}\n${bucket}`;
    let w = this.windows.get(id);
    if (!w) {
      w = new Window();
      this.windows.set(id, w);
    }
    return w.admit(this.clock.now(), limit);
  }

  takeFault(endpoint: FaultEndpoint, endpointId: string | undefined): Fault | undefined {
    for (const slot of this.faults) {
      const f = slot.fault;
      if (f.endpoint !== '*' && f.endpoint !== endpoint) continue;
      if (f.endpointId && f.endpointId !== endpointId) continue;
      if (slot.applied >= (f.count ?? 1)) continue;
      slot.seen++;
      if (slot.seen <= (f.after ?? 0)) continue;
      slot.applied++;
      return f;
    }
    return undefined;
  }

  add(j: SimJob): void {
    this.jobs.push(j);
    this.byId.set(j.id, j);
    this.counters.submitsByInputHash[j.inputHash] = (this.counters.submitsByInputHash[j.inputHash] ?? 0) + 1;
    this.schedule = null;
  }

  cancel(j: SimJob, at: number): void {
    j.canceledAt = at;
    this.schedule = null;
  }

  slot(j: SimJob): Slot {
    this.schedule ??= computeSchedule(this.jobs, this.scenario.concurrency ?? DEFAULTS.concurrency, this.scenario.cancelRunning ?? 'stops');
    return this.schedule.get(j)!;
  }

  /** A canceled job the scenario says is gone afterwards (404 everywhere). */
  gone(j: SimJob, now: number): boolean {
    const s = this.slot(j);
    return this.scenario.afterCancel === 'not-found' && j.canceledAt !== undefined && s.endKind.startsWith('canceled') && now >= s.endAt;
  }

  view(j: SimJob, now = this.clock.now()): View {
    const slot = this.slot(j);
    const status = statusAt(slot, now);
    let queuePosition = 0;
    if (status === 'IN_QUEUE') {
      for (const o of this.jobs) {
        if (o === j) break;
        if (o.account !== j.account) continue;
        if (statusAt(this.slot(o), now) === 'IN_QUEUE') queuePosition++;
      }
    }
    return { status, slot, queuePosition, progress: progressAt(j, slot, now) };
  }

  resultExpired(j: SimJob, outputBytes: number, now: number): boolean {
    const large = outputBytes >= 10 * 1024;
    const keep = large
      ? (this.scenario.largeResultRetentionMs ?? DEFAULTS.largeResultRetentionMs)
      : (this.scenario.resultRetentionMs ?? DEFAULTS.resultRetentionMs);
    return now >= this.slot(j).endAt + keep;
  }

  summaries(): JobSummary[] {
    const now = this.clock.now();
    return this.jobs.map((j) => {
      const v = this.view(j, now);
      return {
        request_id: j.id,
        endpoint_id: j.endpoint.id,
        status: this.gone(j, now) ? 'CANCELED_GONE' : v.status,
        result_status: v.status === 'COMPLETED' ? resultShape(j, v.slot).status : null,
        inputHash: j.inputHash,
        submitted_at: iso(j.submittedAt),
        headers: j.headers,
        ...(j.webhook ? { webhook: j.webhook } : {}),
        canceled: j.canceledAt !== undefined,
      };
    });
  }
}
