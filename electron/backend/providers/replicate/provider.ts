import type { CancelAnswer, Provider, RemoteRun, RunRef, StreamHandlers, SubmitSpec } from '../types.ts';
import { ProviderError } from '../errors.ts';
import type { ReplicateClient } from './client.ts';
import type { RemotePrediction } from './types.ts';
import { metricsOf } from './normalize.ts';
import { RETENTION_MS } from '../../records/retention.ts';

// Replicate as one implementation of the Provider interface (../types.ts): the client speaks
// Replicate's wire shapes, this adapter hands the engine normalized RemoteRuns. Replicate's status
// words are already Kiln's remote vocabulary (ARCHITECTURE.md, "Runs and their lifecycle": starting = waiting, processing = running).

function ms(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
}

/** A Replicate prediction as a RemoteRun. Fields the answer lacks stay undefined ("not said"). */
export function runOfPrediction(p: RemotePrediction): RemoteRun {
  const run: RemoteRun = {
    id: p.id,
    status: p.status,
    rawStatus: p.status,
    createdAt: ms(p.created_at),
    startedAt: ms(p.started_at),
    completedAt: ms(p.completed_at),
  };
  if (p.model !== undefined) run.model = p.model;
  if (p.version !== undefined) run.version = p.version;
  if (p.input !== undefined) run.input = p.input;
  if (p.output !== undefined) run.output = p.output;
  if (p.logs !== undefined) run.logs = p.logs;
  if (p.error !== undefined) run.error = p.error;
  if (p.metrics) run.metrics = metricsOf(p.metrics);
  if (p.urls !== undefined) run.urls = p.urls;
  if (p.data_removed) run.dataRemoved = true;
  return run;
}

export function createReplicateProvider(client: ReplicateClient): Provider {
  return {
    id: 'replicate',
    label: 'Replicate',
    capabilities: { list: true, stream: true, holdCreate: true },
    retentionMs: RETENTION_MS.replicate,
    keyHint: 'Settings, or REPLICATE_API_TOKEN',
    setGate: (gate) => client.setGate(gate),
    async submit(spec: SubmitSpec) {
      return runOfPrediction(await client.createPrediction(spec));
    },
    async get(ref: RunRef) {
      return runOfPrediction(await client.getPrediction(ref.id));
    },
    async cancel(ref: RunRef): Promise<CancelAnswer> {
      const p = await client.cancelPrediction(ref.id);
      if (!p) return { run: null, status: 'canceled' }; // taken, with no prediction in the answer
      const run = runOfPrediction(p);
      return { run, status: run.status };
    },
    async list(next, query) {
      const page = await client.listPredictions(next, query);
      return { next: page.next, results: page.results.map(runOfPrediction) };
    },
    stream: (url: string, handlers: StreamHandlers, signal?: AbortSignal) => client.stream(url, handlers, signal),
    async upload(bytes, filename, mime) {
      const f = await client.uploadFile(bytes, filename, mime);
      if (!f.urls?.get) throw new ProviderError({ code: 'provider', transient: true, message: 'Upload answered without a URL.' });
      return f.urls.get;
    },
    mayStream: (url) => client.mayStream(url),
    redact: (text) => client.redact(text),
  };
}
