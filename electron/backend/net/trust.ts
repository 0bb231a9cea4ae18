import { BlockList, isIP } from 'node:net';

// One copy of the URL-trust policy (docs/ARCHITECTURE.md, "Where each rule lives"): which URLs may
// receive a provider key, and which may serve a download. Servers hand us URLs (a list page's
// `next`, a stream URL, an output file); a compromised or confused server must not be able to
// point the key, or a download, somewhere else.

/** Where one provider's key may go. */
export interface KeyTrust {
  /** The configured API bases (real or simulator). A URL on one of their origins may get the key. */
  bases: readonly string[];
  /** Also require the URL's path to be under the base's path (fal: the CDN shares no API base). */
  underPath?: boolean;
  /** https: domains, with their subdomains, that may also get the key (Replicate's own hosts). */
  domains?: readonly string[];
}

/**
 * Replicate's own https API hosts (api.replicate.com and its subdomains). Not the replicate.delivery
 * file host: keys never go to a file host (ARCHITECTURE.md, "Security"), and Replicate's official
 * client fetches outputs without one. Its stream hosts are on replicate.net and get no key
 * (isReplicateStreamUrl).
 */
export const REPLICATE_KEY_DOMAINS = ['replicate.com'] as const;

export function replicateKeyTrust(baseUrl: string): KeyTrust {
  return { bases: [baseUrl], domains: REPLICATE_KEY_DOMAINS };
}

/** fal's key goes only under its configured API bases (queue, platform, storage), never to the media CDN. */
export function falKeyTrust(bases: readonly string[]): KeyTrust {
  return { bases, underPath: true };
}

function parse(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

function under(u: URL, base: URL, underPath: boolean): boolean {
  if (u.origin !== base.origin) return false;
  if (!underPath) return true;
  const prefix = base.pathname.replace(/\/+$/, '');
  return prefix === '' || u.pathname === prefix || u.pathname.startsWith(`${prefix}/`);
}

/** May this URL receive the key? Never with credentials in the URL; never over plain http except to a configured base. */
export function mayReceiveKey(raw: string, trust: KeyTrust): boolean {
  const u = parse(raw);
  if (!u || u.username || u.password) return false;
  for (const b of trust.bases) {
    const base = parse(b);
    if (base && under(u, base, trust.underPath ?? false)) return true;
  }
  if (u.protocol !== 'https:') return false;
  const host = u.hostname.toLowerCase();
  return (trust.domains ?? []).some((d) => host === d || host.endsWith(`.${d}`));
}

/**
 * A prediction stream on Replicate's own stream hosts outside its API (`urls.stream` =
 * `https://streaming-api.svc.rno2.c.replicate.net/v1/streams/{id}`, or `/v1/predictions/{id}` as
 * recorded in 2023: test/fixtures/replicate/recorded/). Such a URL is a capability: Replicate's JS
 * client opens it without a key, and so does Kiln (keys go only to API origins, mayReceiveKey).
 */
export function isReplicateStreamUrl(raw: string): boolean {
  const u = parse(raw);
  if (!u || u.username || u.password || u.protocol !== 'https:') return false;
  const host = u.hostname.toLowerCase();
  return (host === 'replicate.net' || host.endsWith('.replicate.net')) && /^\/v1\/(streams|predictions)\/[^/]+\/?$/.test(u.pathname);
}

/**
 * May this URL serve a download (an output file)? https: anywhere except an address literal on this
 * machine or its networks (cloud metadata at 169.254.169.254, a router, a local service), or a
 * configured provider base's origin (the simulator in tests). A name is judged by where it leads
 * with `privateAddressBehind`, which needs the resolver.
 */
export function mayServeDownload(raw: string, bases: readonly string[]): boolean {
  const u = parse(raw);
  if (!u || u.username || u.password) return false;
  if (onBaseOrigin(u, bases)) return true;
  return u.protocol === 'https:' && !isPrivateAddress(u.hostname);
}

function onBaseOrigin(u: URL, bases: readonly string[]): boolean {
  return bases.some((b) => parse(b)?.origin === u.origin);
}

/** The addresses a host name resolves to (node:dns `lookup`, all of them, in the composition). */
export type ResolveHost = (hostname: string) => Promise<string[]>;

/**
 * The private address a download URL's host name resolves to, if any (null: none, or the URL is a
 * configured base's origin or an address literal, which `mayServeDownload` judges). Without it, a
 * hostile answer could name `https://anything.example` set up to resolve to 169.254.169.254 or to
 * a service on this machine. A resolver failure throws: nothing is fetched from an unresolved name.
 * It is checked before each hop is contacted; a name that changes its answer between this lookup
 * and fetch's own (DNS rebinding) is not caught — that needs the connection pinned to the address.
 */
export async function privateAddressBehind(raw: string, bases: readonly string[], resolve: ResolveHost): Promise<string | null> {
  const u = parse(raw);
  if (!u || onBaseOrigin(u, bases) || isIP(u.hostname.replace(/^\[|\]$/g, '')) !== 0) return null;
  const addresses = await resolve(u.hostname);
  return addresses.find((a) => isIP(a) === 0 || isPrivateAddress(a)) ?? null;
}

/**
 * May Kiln PUT a user's file to this URL (an upload target fal's storage API named)? No key goes
 * with it; the same rule as a download, since a hostile answer could otherwise aim the bytes at a
 * local service.
 */
export function mayReceiveUpload(raw: string, bases: readonly string[]): boolean {
  return mayServeDownload(raw, bases);
}

/**
 * Everything the vault needs to know about one provider's network (ARCHITECTURE.md, "Security"): which configured
 * origins may serve a download besides https hosts, where that provider's key may go, and the
 * Authorization header to send when such a host asks for it (401). The composition (backend
 * index.ts) builds one per provider; the vault picks it by the run's provider.
 */
export interface ProviderNetTrust {
  /** The provider's configured API bases: their origins may serve downloads over http (simulators). */
  bases: readonly string[];
  key: KeyTrust;
  /** The `Authorization` value for this provider's key (`Bearer …`, `Key …`), or null without a key. */
  authorization: () => Promise<string | null>;
}

export function replicateNetTrust(baseUrl: string, getToken: () => Promise<string | null>): ProviderNetTrust {
  return {
    bases: [baseUrl],
    key: replicateKeyTrust(baseUrl),
    authorization: async () => {
      const t = await getToken();
      return t ? `Bearer ${t}` : null;
    },
  };
}

/** fal: downloads from https or the configured bases' origins; the key (`Key …`) only under the API bases, never the CDN. */
export function falNetTrust(bases: readonly string[], getKey: () => Promise<string | null>): ProviderNetTrust {
  return {
    bases,
    key: falKeyTrust(bases),
    authorization: async () => {
      const k = await getKey();
      return k ? `Key ${k}` : null;
    },
  };
}

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  // Protocol assignments, benchmarking, multicast and reserved (broadcast included): never a file host.
  ['192.0.0.0', 24],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');
// IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is checked against the IPv4 rules by BlockList itself. A rule
// for `::ffff:0:0/96` would also match every IPv4 address checked as ipv4 — it made every IPv4
// literal "private" until a public one was put in the unit table.

/** An address literal (or localhost name) on this machine or a private network. */
export function isPrivateAddress(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  const family = isIP(h);
  // A fully qualified name may end in a dot (`localhost.` is this machine too).
  const name = h.toLowerCase().replace(/\.$/, '');
  if (family === 0) return name === 'localhost' || name.endsWith('.localhost');
  return PRIVATE.check(h, family === 4 ? 'ipv4' : 'ipv6');
}
