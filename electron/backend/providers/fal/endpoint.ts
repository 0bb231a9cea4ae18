import { ProviderError } from './errors.ts';

// fal endpoint ids (reference §2): `owner/app[/path…]`, with `workflows/` and `comfy/` namespaces
// adding a leading segment. Submit goes to the full id; status, stream, result and cancel go to
// `[namespace/]owner/app/requests/{id}…` (the sub-path is dropped).

export interface EndpointId {
  id: string;
  namespace: string | null;
  owner: string;
  app: string;
  path: string | null;
}

const SEGMENT = /^[A-Za-z0-9][\w.-]*$/;

export function parseEndpointId(raw: string): EndpointId {
  const id = raw
    .trim()
    .replace(/^fal:/, '')
    .replace(/^\/+|\/+$/g, '');
  const legacy = /^(\d+)-([\w.-]+)$/.exec(id);
  const parts = legacy ? [legacy[1]!, legacy[2]!] : id.split('/');
  const ns = parts[0] === 'workflows' || parts[0] === 'comfy' ? parts[0] : null;
  const rest = ns ? parts.slice(1) : parts;
  if (rest.length < 2 || !parts.every((p) => SEGMENT.test(p))) {
    throw new ProviderError({ code: 'bad_request', message: `"${raw}" is not a fal endpoint id (owner/app[/path], e.g. fal-ai/flux/dev).` });
  }
  return { id: parts.join('/'), namespace: ns, owner: rest[0]!, app: rest[1]!, path: rest.length > 2 ? rest.slice(2).join('/') : null };
}

/** `[namespace/]owner/app`: the part of the id the request URLs use. */
export function appPath(e: EndpointId): string {
  return [e.namespace, e.owner, e.app].filter(Boolean).join('/');
}

export function requestUrls(queueUrl: string, endpointId: string, requestId: string) {
  const base = `${queueUrl}/${appPath(parseEndpointId(endpointId))}/requests/${encodeURIComponent(requestId)}`;
  return { responseUrl: base, statusUrl: `${base}/status`, cancelUrl: `${base}/cancel` };
}
