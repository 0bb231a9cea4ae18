// Shared helpers for the fal simulator's tests: a started simulator per test, a keyed fetch, and
// Kiln's fal client pointed at it.
import { afterEach } from 'vitest';
import { startFalSimulator } from '../../fal-sim/index.ts';
import type { FalSim, SimOptions } from '../../fal-sim/index.ts';
import { createFalClient, type FalClientOptions } from '../../../electron/backend/providers/fal/client.ts';

const running: FalSim[] = [];
afterEach(async () => {
  while (running.length) await running.pop()!.close();
});

/** Response whose json() is loosely typed: tests assert on its shape. */
export type Res = Omit<Response, 'json'> & { json(): Promise<any> };

export type TestSim = FalSim & {
  /** fetch with `Authorization: Key …`; a relative path is taken under the simulator's origin. */
  api: (path: string, init?: RequestInit & { json?: unknown }) => Promise<Res>;
  submit: (endpointId: string, input: unknown, headers?: Record<string, string>) => Promise<any>;
};

export async function falSim(opts: SimOptions = {}): Promise<TestSim> {
  const s = await startFalSimulator(opts);
  running.push(s);
  const api = (path: string, init: RequestInit & { json?: unknown } = {}): Promise<Res> => {
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) headers.set('authorization', `Key ${s.key}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    return fetch(path.startsWith('http') ? path : s.origin + path, { ...init, headers, body });
  };
  const submit = async (endpointId: string, input: unknown, headers: Record<string, string> = {}) => {
    const r = await api(`${s.queueUrl}/${endpointId}`, { method: 'POST', json: input, headers });
    if (r.status !== 200) throw new Error(`submit answered ${r.status}: ${await r.text()}`);
    return r.json();
  };
  return Object.assign(s, { api, submit });
}

export function falClient(s: FalSim, extra: Partial<FalClientOptions> = {}) {
  return createFalClient({
    bases: { queueUrl: s.queueUrl, apiUrl: s.apiUrl, storageUrl: s.storageUrl },
    fetch: (...a: Parameters<typeof fetch>) => fetch(...a),
    getKey: async () => s.key,
    userAgent: 'kiln-test',
    ...extra,
  });
}

/** A plain GET that reports a destroyed connection instead of throwing. */
export async function getOrReset(url: string, key: string): Promise<{ status: number; text: string } | 'reset'> {
  try {
    const r = await fetch(url, { headers: { authorization: `Key ${key}` } });
    return { status: r.status, text: await r.text() };
  } catch {
    return 'reset';
  }
}
