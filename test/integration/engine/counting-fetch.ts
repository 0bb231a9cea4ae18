// A fetch that counts the requests `label` picks while they are out — until their answer's body is
// in, which is when a request is over — and the most out at once. The engine tests use it to see
// bounds on creates (createConcurrency, held creates) over real HTTP.

export interface InFlight {
  now: number;
  max: number;
  total: number;
}

export function countingFetch<L extends string>(
  label: (url: URL, method: string) => L | null,
  onCounted?: (l: L) => void,
): { fetch: typeof fetch; inFlight: InFlight } {
  const inFlight: InFlight = { now: 0, max: 0, total: 0 };
  const f = (async (input: string | URL | Request, init?: RequestInit) => {
    const l = label(
      new URL(String(input instanceof Request ? input.url : input)),
      (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase(),
    );
    if (!l) return globalThis.fetch(input, init);
    inFlight.now++;
    inFlight.total++;
    inFlight.max = Math.max(inFlight.max, inFlight.now);
    onCounted?.(l);
    try {
      const res = await globalThis.fetch(input, init);
      await res.clone().arrayBuffer();
      return res;
    } finally {
      inFlight.now--;
    }
  }) as typeof fetch;
  return { fetch: f, inFlight };
}

/** A Replicate create: POST …/predictions (model, version or deployment route). */
export const replicateCreate = (url: URL, method: string): 'create' | null => (method === 'POST' && /\/predictions$/.test(url.pathname) ? 'create' : null);
