// Library entry of the Replicate simulator: `startSimulator()` runs it in-process on 127.0.0.1.
export { startSimulator } from './server.ts';
export { SimControlClient } from './control-client.ts';
export { CATALOGUE } from './catalogue.ts';
export type {
  Counters,
  Fault,
  FaultEndpoint,
  FaultKind,
  ModelBehaviour,
  PredictionSummary,
  RemoteStatus,
  Scenario,
  Sim,
  SimControl,
  SimOptions,
} from './types.ts';
