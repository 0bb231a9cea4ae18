// `npm run sim:fal -- --port P [--scenario file.json] [--key K] [--verbose]`: the fal simulator
// standalone (for the demo, curl walks, benches and tests in another process). Prints its base URLs
// (one per fal host it stands in for) and the demo key.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startFalSimulator } from './server.ts';
import type { Scenario } from './types.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    scenario: { type: 'string' },
    key: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

const scenario: Scenario | undefined = values.scenario ? JSON.parse(readFileSync(values.scenario, 'utf8')) : undefined;
const sim = await startFalSimulator({ port: Number(values.port), host: values.host, scenario, key: values.key, verbose: values.verbose });
process.stdout.write(
  [
    `fal simulator: ${sim.origin}`,
    `Queue URL: ${sim.queueUrl}`,
    `API URL: ${sim.apiUrl}`,
    `Storage URL: ${sim.storageUrl}`,
    `CDN URL: ${sim.cdnUrl}`,
    `Key: ${sim.key}`,
    `Control: ${sim.origin}/__sim/`,
    '',
  ].join('\n'),
);

const stop = () => {
  sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
