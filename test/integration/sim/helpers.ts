// Shared helpers for the simulator's own tests: a started sim per test and an authed fetch.
import { afterEach } from 'vitest';
import { startSimulator } from '../../replicate-sim/index.ts';
import type { Sim, SimOptions } from '../../replicate-sim/index.ts';

const running: Sim[] = [];
afterEach(async () => {
  while (running.length) await running.pop()!.close();
});

/** Response whose json() is loosely typed: tests assert on its shape. */
export type Res = Omit<Response, 'json'> & { json(): Promise<any> };

export async function sim(opts: SimOptions = {}): Promise<Sim & { api: (path: string, init?: RequestInit & { json?: unknown }) => Promise<Res> }> {
  const s = await startSimulator(opts);
  running.push(s);
  const api = (path: string, init: RequestInit & { json?: unknown } = {}): Promise<Res> => {
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${s.token}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    const url = path.startsWith('http') ? path : s.baseUrl + path;
    return fetch(url, { ...init, headers, body });
  };
  return Object.assign(s, { api });
}

export const FLUX = '/models/black-forest-labs/flux-schnell/predictions';
