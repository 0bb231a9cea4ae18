// Typed HTTP client for the fal simulator's /__sim/ control API, for tests and benches that run
// it in another process (`npm run sim:fal`). Same operations as SimControl, asynchronous.
import type { Counters, JobSummary, Scenario } from './types.ts';

export class FalSimControlClient {
  private readonly origin: string;

  /** Any of the simulator's URLs (origin, queue, API, storage or CDN URL). */
  constructor(anyUrl: string) {
    this.origin = new URL(anyUrl).origin;
  }

  private async call<T>(method: 'GET' | 'POST', op: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.origin}/__sim/${op}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`fal sim control ${op} failed: ${res.status} ${text}`);
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
  jobs(): Promise<JobSummary[]> {
    return this.call('GET', 'jobs');
  }
  async reset(): Promise<void> {
    await this.call('POST', 'reset');
  }
}
