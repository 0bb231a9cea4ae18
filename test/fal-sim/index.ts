// Library entry of the fal simulator: `startFalSimulator()` runs it in-process on 127.0.0.1.
export { startFalSimulator, DEMO_KEY } from './server.ts';
export { FalSimControlClient } from './control-client.ts';
export { spawnFalSimulator } from './spawn.ts';
export { fetchViaSimulator } from './official.ts';
export { CATALOGUE } from './catalogue.ts';
export type {
  Counters,
  EndpointBehaviour,
  FalSim,
  Fault,
  FaultEndpoint,
  FaultKind,
  JobOutcome,
  JobSummary,
  Scenario,
  SimControl,
  SimOptions,
} from './types.ts';
