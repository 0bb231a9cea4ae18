import { ProviderError, pydanticFieldErrors, retryAfterMs } from '../errors.ts';

export { ProviderError, isTransient } from '../errors.ts';

// Replicate's HTTP failures as the provider-neutral ProviderError (../errors.ts), with messages
// that say what Replicate refused and what to do.

function detailOf(body: unknown): string | null {
  if (typeof body === 'string') {
    // A front proxy's HTML page (a 404 from a CDN): its title says it; the markup would only clutter the card.
    if (/^\s*<(!doctype|html|head|body)/i.test(body)) return /<title[^>]*>([^<]{1,200})<\/title>/i.exec(body)?.[1]?.trim() || null;
    return body.slice(0, 300).trim() || null;
  }
  if (body && typeof body === 'object') {
    const b = body as { detail?: unknown; title?: unknown };
    if (typeof b.detail === 'string' && b.detail.trim()) return b.detail.trim();
    const listed = validationErrors(body);
    if (listed) return joinFields(listed);
    if (typeof b.title === 'string') return b.title;
  }
  return null;
}

/** cog's own 422 (a model's server, where Replicate's API says `invalid_fields`): the input is nested under `input`. */
export const validationErrors = (body: unknown) => pydanticFieldErrors(body, ['body', 'input']);

const joinFields = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ');

/** How much of a server's own words an auth refusal keeps: a sentence, not a page. */
const AUTH_DETAIL_CHARS = 200;

/** Replicate's reason for refusing the key, bounded, after what to do (`You did not pass a valid authentication token`). */
function authMessage(detail: string | null): string {
  const said = detail ? detail.replace(/\s+/g, ' ').trim() : '';
  const clipped = said.length > AUTH_DETAIL_CHARS ? `${said.slice(0, AUTH_DETAIL_CHARS)}…` : said;
  return `Replicate rejected the API key. Check it in Settings (or REPLICATE_API_TOKEN).${clipped ? ` Replicate said: ${clipped.replace(/\.$/, '')}.` : ''}`;
}

/** `invalid_fields` → input field name → message, for the composer to show beside each field. */
export function invalidFields(body: unknown): Record<string, string> | undefined {
  const list = body && typeof body === 'object' ? (body as { invalid_fields?: unknown }).invalid_fields : undefined;
  if (!Array.isArray(list)) return undefined;
  const out: Record<string, string> = {};
  for (const f of list) {
    if (!f || typeof f !== 'object') continue;
    const { field, description, type } = f as { field?: unknown; description?: unknown; type?: unknown };
    const name = typeof field === 'string' ? field.replace(/^input\./, '') : '(input)';
    out[name] = typeof description === 'string' ? description : typeof type === 'string' ? type : 'invalid';
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Replicate lowers an account's create rate while its credit is low, and says so in the 429's
 * detail ("Your rate limit for creating predictions is reduced to 6 requests per minute with a
 * burst of 1 requests while you have less than $5.0 in credit.", quoted in nodetool-ai/nodetool#5196):
 * that sentence, and what to do, for the card's note; '' for an ordinary throttle.
 */
function lowCreditReason(detail: string | null): string {
  const sentence = detail?.split(/(?<=\.)\s+/).find((x) => /\bcredit\b/i.test(x));
  // The server's words go on a card's note: a sentence's worth, no more.
  return sentence ? `: ${sentence.trim().slice(0, 300).replace(/\.$/, '')} — add credit at replicate.com/account/billing` : '';
}

export function errorFromResponse(status: number, headers: Headers | null, body: unknown, opts: { isCreate: boolean; now?: number }): ProviderError {
  const detail = detailOf(body);
  switch (true) {
    case status === 401:
    case status === 403:
      return new ProviderError({ code: 'auth', status, message: authMessage(detail) });
    case status === 402:
      return new ProviderError({
        code: 'billing',
        status,
        // Replicate's own detail often names the billing page already ("Go to https://replicate.com/account/billing#billing to purchase credit.").
        message:
          detail && /replicate\.com\/account\/billing/i.test(detail)
            ? `Replicate needs billing for this: ${detail}`
            : `Replicate needs billing for this: add credit at replicate.com/account/billing.${detail ? ` (${detail})` : ''}`,
      });
    case status === 404:
      return new ProviderError({
        code: 'not_found',
        status,
        message: opts.isCreate
          ? 'Replicate says: model not found (check the owner/name and version).'
          : `Not found on Replicate${detail ? `: ${detail}` : ''}.`,
      });
    case status === 413:
      return new ProviderError({ code: 'too_large', status, message: `Too large for Replicate${detail ? `: ${detail}` : ' (files must be under 100 MB)'}.` });
    case status === 422: {
      const fields = invalidFields(body) ?? validationErrors(body);
      return new ProviderError({
        code: 'invalid_input',
        status,
        fields,
        message: fields ? `Invalid input: ${joinFields(fields)}` : `Invalid request: ${detail ?? 'rejected by Replicate'}`,
      });
    }
    case status === 408:
      // The server gave up waiting for the request (a slow upload, a stalled connection): nothing
      // was wrong with it, so it is tried again — and a create may have been stored before the
      // server gave up, so the engine looks for it before sending it again.
      return new ProviderError({
        code: 'provider',
        status,
        transient: true,
        ambiguous: opts.isCreate,
        message: 'Replicate stopped waiting for the request (HTTP 408).',
      });
    case status === 429: {
      const wait = retryAfterMs(headers, body, opts.now);
      return new ProviderError({
        code: 'rate_limited',
        status,
        transient: true,
        retryAfterMs: wait,
        // The engine adds when it tries again; the reason is Replicate's when it is more than "throttled".
        message: `Rate limited by Replicate${lowCreditReason(detail)}.`,
      });
    }
    case status >= 500:
      // A 5xx on create may come after the server stored the prediction: reconcile before re-sending.
      return new ProviderError({
        code: 'provider',
        status,
        transient: true,
        ambiguous: opts.isCreate,
        retryAfterMs: retryAfterMs(headers, body, opts.now),
        message: `Replicate is having trouble (HTTP ${status}).`,
      });
    default:
      return new ProviderError({
        code: status >= 400 && status < 500 ? 'bad_request' : 'provider',
        status,
        message: `Replicate answered HTTP ${status}${detail ? `: ${detail}` : ''}.`,
      });
  }
}

export function networkError(err: unknown, isCreate: boolean): ProviderError {
  const cause = err instanceof Error ? ((err as { cause?: { code?: string } }).cause?.code ?? err.message) : String(err);
  // Connection refused means the request never left; anything else (reset, timeout) may have landed.
  const refused = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(cause);
  return new ProviderError({ code: 'network', transient: true, ambiguous: isCreate && !refused, message: `Replicate unreachable (${cause}).` });
}

export function malformedError(isCreate: boolean, what: string): ProviderError {
  return new ProviderError({ code: 'provider', transient: true, ambiguous: isCreate, message: `Replicate sent an unreadable response (${what}).` });
}
