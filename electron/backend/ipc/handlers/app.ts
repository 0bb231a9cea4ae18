import type { HandlerMap } from './types.ts';

// STUB: to be filled in by the owner of this domain.
export const appHandlers: HandlerMap = {};
