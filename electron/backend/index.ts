import type { BackendDeps } from './types.ts';
import type { Services } from './services.ts';
import type { EventName, EventPayload } from '../../shared/ipc.ts';
import { createPublisher, type Emit } from './events/publisher.ts';
import { createNotifier } from './events/notifier.ts';
import { openHistory } from './history/store.ts';
import { createVault } from './vault/vault.ts';
import { createReplicateClient } from './providers/replicate/client.ts';
import { createReplicateProvider } from './providers/replicate/provider.ts';
import { createFalClient } from './providers/fal/client.ts';
import { createFalProvider } from './providers/fal/provider.ts';
import { createEngine, type EngineOptionsInput } from './engine/engine.ts';
import { createRouter } from './ipc/router.ts';
import { handlers } from './ipc/handlers/index.ts';
import { createKeepAlive } from './host/keepalive.ts';
import { favourMemory } from './host/memory.ts';
import { createOwnership } from './ownership/index.ts';
import { downloadLimitBytes } from '../../shared/domain/settings.ts';
import { attachCost, createCost } from './ledger/index.ts';
import { falNetTrust, replicateNetTrust } from './net/trust.ts';

export const DEFAULT_REPLICATE_BASE_URL = 'https://api.replicate.com/v1';

export type BackendListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface Backend {
  /** Validates the payload against the contract, runs the handler, returns an envelope. Never throws. */
  invoke(channel: unknown, payload: unknown): Promise<import('../../shared/ipc.ts').Envelope<unknown>>;
  on(listener: BackendListener): () => void;
  /** Resumes every non-terminal prediction and reconciles lost creates. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * A host is waiting for something (a run to end): keep the process alive until the returned
   * release is called, whatever the backend is waiting on underneath (its own timers are unref'd).
   */
  hold(reason: string): () => void;
  /** Whether this backend owns its data folder (ARCHITECTURE.md, "Storage"); a non-owner may take over later. */
  isOwner(): boolean;
  services: Services;
}

// The composition of the Electron-free backend (ARCHITECTURE.md, "Runtime map"). Electron, browser mode, the CLI and the
// tests all build it through this one function with their own adapters.
export async function createBackend(deps: BackendDeps): Promise<Backend> {
  favourMemory(); // V8 keeps the heap near its live size (host/memory.ts): 1,000 runs finishing together stay under 250 MB
  const listeners = new Set<BackendListener>();
  const emit: Emit = (event, payload) => {
    for (const l of listeners) {
      try {
        l(event, payload);
      } catch (err) {
        deps.log.warn('event listener failed', { event, err: String(err) });
      }
    }
  };
  const replicateBaseUrl = (deps.replicateBaseUrl ?? DEFAULT_REPLICATE_BASE_URL).replace(/\/+$/, '');

  // Ownership first: whether this process may resume and reconcile what others left decides how
  // the engine starts. The history is opened below either way (several processes may read it).
  const ownership = createOwnership({ dataDir: deps.dataDir, kind: deps.mode, log: deps.log });
  const keepAlive = createKeepAlive();
  const history = openHistory({ dataDir: deps.dataDir, log: deps.log, clock: deps.clock });
  const publisher = createPublisher({ clock: deps.clock, view: (id) => history.view(id), emit });
  const userAgent = `Kiln/${deps.appVersion ?? '0.0.0'}`;
  const provider = createReplicateClient({
    baseUrl: replicateBaseUrl,
    fetch: deps.fetch,
    getToken: () => deps.secrets.get('replicate'),
    userAgent,
    log: deps.log,
  });
  // fal (ARCHITECTURE.md, "The engine"): its own client and key; bases from KILN_FAL_*_URL / --fal-*-url in tests.
  const falBases = Object.fromEntries(
    Object.entries(deps.falBases ?? {})
      .filter(([, v]) => !!v)
      .map(([k, v]) => [k, String(v).replace(/\/+$/, '')]),
  );
  const fal = createFalClient({
    bases: falBases,
    fetch: deps.fetch,
    getKey: () => deps.secrets.get('fal'),
    userAgent,
    resolveHost: deps.resolveHost,
  });
  const vault = createVault({
    dataDir: deps.dataDir,
    fetch: deps.fetch,
    clock: deps.clock,
    log: deps.log,
    history,
    publisher,
    replicateBaseUrl,
    // Each run's downloads are judged by its provider's trust (net/trust.ts): a host that asks for
    // a key (401) gets that provider's key only if it may receive it — fal's never reaches its CDN.
    trust: {
      replicate: replicateNetTrust(replicateBaseUrl, () => deps.secrets.get('replicate')),
      fal: falNetTrust(Object.values(fal.bases), () => deps.secrets.get('fal')),
    },
    resolveHost: deps.resolveHost,
    downloadLimits: () => downloadLimitBytes(deps.settings.get()),
    startWorker: deps.startWorker,
  });
  const engine = createEngine({
    history,
    vault,
    providers: [createReplicateProvider(provider), createFalProvider(fal)],
    publisher,
    emit,
    clock: deps.clock,
    log: deps.log,
    settings: deps.settings,
    options: { ...deps.engineOptions, resumeOnStart: ownership.resumeOnStart(deps.engineOptions?.resumeOnStart) as EngineOptionsInput['resumeOnStart'] },
  });
  ownership.attach(engine, (id) => publisher.changed(id));

  engine.onRecord(createNotifier({ settings: deps.settings, platform: deps.platform, emit, clock: deps.clock }));

  // Money (ARCHITECTURE.md, "Money"): the ledger listens to the engine's records like the notifier does.
  const cost = createCost({
    dataDir: deps.dataDir,
    clock: deps.clock,
    log: deps.log,
    settings: deps.settings,
    outputCount: (id) => history.getOutputs(id).length,
  });
  // fal's unit prices (cached daily) and, with an Admin key, its billing: through the fal client.
  cost.useFal(fal);
  engine.onRecord((rec) => {
    try {
      cost.ledger.record(rec);
    } catch (err) {
      deps.log.warn('cost ledger: row not written', { id: rec.id, err: String(err) });
    }
  });

  const services: Services = { ...deps, replicateBaseUrl, history, vault, publisher, emit, provider, fal, engine };
  attachCost(services, cost);
  const router = createRouter({ handlers, services, log: deps.log });

  return {
    invoke: (channel, payload) => router.invoke(channel, payload),
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start: () => engine.start(),
    async stop() {
      await engine.stop();
      // Whatever this process still followed is handed over: the owner (or the next one) adopts it.
      ownership.close();
      keepAlive.releaseAll();
      await vault.close();
      await cost.ledger.idle();
      cost.close();
      history.close();
    },
    hold: (reason) => keepAlive.hold(reason),
    isOwner: () => ownership.owner,
    services,
  };
}
