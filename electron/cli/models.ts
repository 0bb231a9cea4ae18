import { KilnError } from '../../shared/ipc.ts';
import type { Backend } from '../backend/index.ts';

// A model given without a version runs as the app's composer runs it: official models by name
// (Replicate's model endpoint picks their current version), community models at their latest
// version. models:get also remembers the input schema the run is stored with, as the GUI's does.

export async function resolveVersion(
  backend: Backend,
  model: string,
  version: string | null,
  note: (s: string) => void,
  onSchema?: (schema: Record<string, unknown> | null) => void,
): Promise<string | null> {
  const res = await backend.invoke('models:get', { ref: model, ...(version ? { version } : {}) });
  if (!res.ok) {
    const { code, message } = res.error;
    if (code === 'not_found')
      throw new KilnError({ code, message: `Replicate has no model ${model}${version ? ` with version ${version}` : ''} (or your key cannot see it).` });
    if (code === 'auth' || code === 'billing' || code === 'invalid_input' || code === 'bad_request') throw new KilnError(res.error);
    // Unreachable or throttled: official models still run by name (the run waits for the network);
    // a community model needs its version, which only the API can tell.
    if (version) return version;
    note(`kiln: could not look up ${model} (${message}); running it by name`);
    return null;
  }
  onSchema?.((res.value as { inputSchema?: Record<string, unknown> | null }).inputSchema ?? null);
  if (version) return version;
  const detail = res.value as { official: boolean; latestVersionId: string | null };
  if (detail.official) return null;
  if (!detail.latestVersionId) throw new KilnError({ code: 'not_found', message: `${model} has no published version to run.` });
  return detail.latestVersionId;
}

/**
 * A fal endpoint's input schema from fal's platform API (for the cost estimate and the history's
 * snapshot), in the same shape as Replicate's (components beside the Input object). An unknown
 * endpoint stops the run (exit 2); an unreachable API does not: the submit says what fal thinks.
 */
export async function falSchema(backend: Backend, endpointId: string, note: (s: string) => void): Promise<Record<string, unknown> | null> {
  try {
    const { schema } = await backend.services.fal.getModel(endpointId);
    return { ...schema.input, components: { schemas: schema.components } };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === 'not_found')
      throw new KilnError({ code: 'not_found', message: `fal has no model ${endpointId} (kiln run fal:OWNER/APP[/PATH], e.g. fal:fal-ai/flux/dev).` });
    if (e.code === 'auth' || e.code === 'billing') throw new KilnError({ code: e.code, message: e.message ?? 'fal refused the key' });
    note(`kiln: could not look up fal:${endpointId} (${e.message ?? String(err)}); running it without its schema`);
    return null;
  }
}
