// Typed HTTP client for the /__sim/ control API, for tests that run the simulator in another
// process (e.g. `npm run sim`). Same operations as SimControl, asynchronous.
import type { Counters, PredictionSummary, Scenario } from './types.ts';

export class SimControlClient {
  private readonly origin: string;

  /** `origin` is the simulator's origin (http://127.0.0.1:P) or its base URL (…/v1). */
  constructor(originOrBaseUrl: string) {
    this.origin = new URL(originOrBaseUrl).origin;
  }

  private async call<T>(method: 'GET' | 'POST', op: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.origin}/__sim/${op}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sim control ${op} failed: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  async advance(ms: number): Promise<number> {
    return (await this.call<{ now: number }>('POST', 'advance', { ms })).now;
  }
  async freeze(): Promise<number> {
    return (await this.call<{ now: number }>('POST', 'freeze')).now;
  }
  async unfreeze(): Promise<number> {
    return (await this.call<{ now: number }>('POST', 'unfreeze')).now;
  }
  async now(): Promise<number> {
    return (await this.call<{ now: number }>('GET', 'now')).now;
  }
  async loadScenario(s: Scenario): Promise<void> {
    await this.call('POST', 'scenario', s);
  }
  counters(): Promise<Counters> {
    return this.call('GET', 'counters');
  }
  predictions(): Promise<PredictionSummary[]> {
    return this.call('GET', 'predictions');
  }
  /** The full prediction object as the API would return it (costs no API request). */
  prediction(id: string): Promise<Record<string, unknown>> {
    return this.call('GET', `predictions/${encodeURIComponent(id)}`);
  }
  async reset(): Promise<void> {
    await this.call('POST', 'reset');
  }
}
