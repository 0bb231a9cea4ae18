// The record types moved to electron/backend/records/ so the vault can use them without importing
// history (docs/ARCHITECTURE.md, "The arrows (enforced by lint)"). This re-export keeps history's callers unchanged.
export * from '../records/types.ts';
