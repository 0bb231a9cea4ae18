// Providers and model references (ARCHITECTURE.md, "Fixed interfaces"): `replicate:OWNER/NAME[:VERSION]` (a bare
// `OWNER/NAME[:VERSION]` means Replicate) and `fal:ENDPOINT_ID` (`fal:fal-ai/flux/dev`).

export const PROVIDER_IDS = ['replicate', 'fal'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];
/** How each provider is named to people. */
export const PROVIDER_LABELS: Record<ProviderId, string> = { replicate: 'Replicate', fal: 'fal' };

/** Splits a model reference into its provider and the provider's own reference (prefix removed). */
export function splitModelRef(ref: string): { provider: ProviderId; ref: string } {
  const s = ref.trim();
  const m = /^(replicate|fal):(.*)$/i.exec(s);
  if (!m) return { provider: 'replicate', ref: s };
  return { provider: m[1]!.toLowerCase() as ProviderId, ref: m[2]!.trim() };
}

/** A history run's model as a ref, what the composer, estimates and compare take (ARCHITECTURE.md, "Fixed interfaces"): records keep fal's endpoint id without its `fal:`. */
export const runRef = (r: { provider: string; model: string }): string => (r.provider === 'fal' ? `fal:${r.model}` : r.model);
