// Does a prediction listed by the provider carry the input we meant to send? Used to reconcile a
// create whose response was lost (ARCHITECTURE.md, "Runs and their lifecycle"). Local file refs (`kiln-file:…`) were replaced by an
// upload URL or a data URI on the wire, so for those keys any string is accepted; everything else
// must be equal as JSON values (key order ignored).

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, canonical(o[k])]),
    );
  }
  return v;
}

function sameValue(local: unknown, remote: unknown): boolean {
  if (typeof local === 'string' && local.startsWith('kiln-file:')) return typeof remote === 'string';
  if (Array.isArray(local)) return Array.isArray(remote) && local.length === remote.length && local.every((x, i) => sameValue(x, remote[i]));
  return JSON.stringify(canonical(local)) === JSON.stringify(canonical(remote));
}

export function inputsMatch(local: Record<string, unknown>, remote: unknown): boolean {
  if (!remote || typeof remote !== 'object' || Array.isArray(remote)) return false;
  const r = remote as Record<string, unknown>;
  const lk = Object.keys(local).filter((k) => local[k] !== undefined);
  const rk = Object.keys(r).filter((k) => r[k] !== undefined);
  if (lk.length !== rk.length) return false;
  return lk.every((k) => Object.hasOwn(r, k) && sameValue(local[k], r[k]));
}

/**
 * Is a listed prediction's `model` the one we sent? Replicate sometimes lists an official model's
 * run under an internal name (`replicate-internal/…`, the serving deployment): with the input and
 * the time matching too, that is our create — treating it as a stranger would re-send and pay twice.
 */
export function modelsMatch(local: string, remote: unknown): boolean {
  if (typeof remote !== 'string') return false;
  return remote === local || remote.startsWith('replicate-internal/');
}
