// The error every transport carries as data (ARCHITECTURE.md, "The contract and its transports"),
// so typed fields (e.g. 422 per-field messages) survive the trip. Apart from shared/ipc.ts, which
// re-exports it: ipc.ts builds the whole contract's zod schemas when it loads, and the renderer
// needs this class and nothing of zod (those schemas were ~60 ms of the page's start).

export const KILN_ERROR_CODES = [
  'bad_request',
  'unknown_channel',
  'forbidden',
  'auth',
  'billing',
  'not_found',
  'invalid_input',
  'too_large',
  'rate_limited',
  'network',
  'provider',
  'internal',
  'not_implemented',
] as const;
export type KilnErrorCode = (typeof KILN_ERROR_CODES)[number];

export interface KilnErrorData {
  code: KilnErrorCode;
  message: string;
  /** For invalid_input: input field name → message. */
  fields?: Record<string, string>;
}

export class KilnError extends Error {
  readonly code: KilnErrorCode;
  readonly fields?: Record<string, string>;
  constructor(data: KilnErrorData) {
    super(data.message);
    this.name = 'KilnError';
    this.code = data.code;
    this.fields = data.fields;
  }
  toData(): KilnErrorData {
    return { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) };
  }
}
