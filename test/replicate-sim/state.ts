// Everything the simulator remembers: predictions, uploaded files, counters, rate-limit windows
// and the fault queue. One instance per running simulator.
import { createHash, randomBytes } from 'node:crypto';
import { SimClock } from './clock.ts';
import type { Counters, Fault, FaultEndpoint, PredictionSummary, Scenario } from './types.ts';
import type { SimPrediction } from './lifecycle.ts';
import { iso } from './lifecycle.ts';
import { fullName } from './catalogue.ts';

export const DEFAULTS = {
  createPerMin: 600,
  otherPerMin: 3000,
  retentionMs: 60 * 60 * 1000,
  maxRunMs: 30 * 60 * 1000,
  pageSize: 100,
  preferWaitCapMs: 5000,
  maxFileBytes: 100 * 1024 * 1024,
};

export interface StoredFile {
  id: string;
  name: string;
  contentType: string;
  content: Buffer;
  metadata: unknown;
  createdAt: number;
}

interface FaultSlot {
  fault: Fault;
  seen: number;
  applied: number;
}

/** Sliding 60 s window of request times (simulated ms), oldest first. */
class Window {
  times: number[] = [];
  private head = 0;
  count(now: number): number {
    while (this.head < this.times.length && this.times[this.head]! <= now - 60_000) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }
  oldest(): number | undefined {
    return this.times[this.head];
  }
  push(t: number) {
    this.times.push(t);
  }
}

export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((v as any)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function inputHash(model: string, input: unknown): string {
  return createHash('sha256')
    .update(`${model}\n${stableStringify(input)}`)
    .digest('hex')
    .slice(0, 16);
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
export function newId(): string {
  const bytes = randomBytes(26);
  let s = '';
  for (const b of bytes) s += ID_ALPHABET[b % ID_ALPHABET.length];
  return s;
}

function emptyCounters(): Counters {
  return { byEndpoint: {}, byStatus: {}, throttled: 0, createsByInputHash: {}, maxPerMinute: { create: 0, other: 0 }, total: 0 };
}

export class SimState {
  readonly clock = new SimClock();
  scenario: Scenario;
  readonly startScenario: Scenario;
  /** Newest last; list endpoints read it backwards. */
  predictions: SimPrediction[] = [];
  byId = new Map<string, SimPrediction>();
  byDeliveryHash = new Map<string, SimPrediction>();
  files = new Map<string, StoredFile>();
  fileCache = new Map<string, Promise<Buffer>>();
  counters: Counters = emptyCounters();
  private faults: FaultSlot[] = [];
  private limitWindows = new Map<string, Window>();
  private seenWindows = { create: new Window(), other: new Window() };

  readonly token: string;

  constructor(scenario: Scenario, token: string) {
    this.token = token;
    this.startScenario = scenario;
    this.scenario = scenario;
    this.loadScenario(scenario);
  }

  loadScenario(s: Scenario): void {
    this.scenario = s;
    this.faults = (s.faults ?? []).map((fault) => ({ fault, seen: 0, applied: 0 }));
  }

  reset(): void {
    this.predictions = [];
    this.byId.clear();
    this.byDeliveryHash.clear();
    this.files.clear();
    this.fileCache.clear();
    this.counters = emptyCounters();
    this.limitWindows.clear();
    this.seenWindows = { create: new Window(), other: new Window() };
    this.clock.reset();
    this.loadScenario(this.startScenario);
  }

  get retentionMs(): number {
    return this.scenario.retentionMs ?? DEFAULTS.retentionMs;
  }

  validTokens(): string[] {
    return [this.token, ...(this.scenario.extraTokens ?? [])];
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

  /** Record the request for the max-per-minute statistic (all requests, admitted or not). */
  observe(bucket: 'create' | 'other'): void {
    const now = this.clock.now();
    const w = this.seenWindows[bucket];
    w.push(now);
    const n = w.count(now);
    if (n > this.counters.maxPerMinute[bucket]) this.counters.maxPerMinute[bucket] = n;
  }

  /** Returns seconds to wait if the request is over the limit, else admits it and returns 0. */
  admit(token: string, bucket: 'create' | 'other'): number {
    const now = this.clock.now();
    const limit =
      bucket === 'create' ? (this.scenario.rateLimits?.createPerMin ?? DEFAULTS.createPerMin) : (this.scenario.rateLimits?.otherPerMin ?? DEFAULTS.otherPerMin);
    const key = `${token}\n${bucket}`;
    let w = this.limitWindows.get(key);
    if (!w) {
      w = new Window();
      this.limitWindows.set(key, w);
    }
    if (w.count(now) >= limit) {
      const oldest = w.oldest() ?? now;
      return Math.max(1, Math.ceil((oldest + 60_000 - now) / 1000));
    }
    w.push(now);
    return 0;
  }

  /** Consume the first fault matching this request, if any. */
  takeFault(endpoint: FaultEndpoint, model: string | undefined): Fault | undefined {
    for (const slot of this.faults) {
      const f = slot.fault;
      if (f.endpoint !== '*' && f.endpoint !== endpoint) continue;
      if (f.model && f.model !== model) continue;
      const count = f.count ?? 1;
      if (slot.applied >= count) continue;
      slot.seen++;
      if (slot.seen <= (f.after ?? 0)) continue;
      slot.applied++;
      return f;
    }
    return undefined;
  }

  add(p: SimPrediction): void {
    this.predictions.push(p);
    this.byId.set(p.id, p);
    this.byDeliveryHash.set(p.deliveryHash, p);
    this.counters.createsByInputHash[p.inputHash] = (this.counters.createsByInputHash[p.inputHash] ?? 0) + 1;
  }

  summaries(phaseOf: (p: SimPrediction) => string): PredictionSummary[] {
    return this.predictions.map((p) => ({
      id: p.id,
      model: fullName(p.model),
      status: phaseOf(p),
      inputHash: p.inputHash,
      created_at: iso(p.createdAt),
      ...(p.deployment ? { deployment: p.deployment } : {}),
    }));
  }
}
