// `npm run sim -- --port P [--scenario file.json] [--token T] [--verbose]`: run the simulator
// standalone (for the demo, curl walks and tests in another process). Prints the base URL and token.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startSimulator } from './server.ts';
import type { Scenario } from './types.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    scenario: { type: 'string' },
    token: { type: 'string' },
    'base-path': { type: 'string', default: '/v1' },
    verbose: { type: 'boolean', default: false },
  },
});

const scenario: Scenario | undefined = values.scenario ? JSON.parse(readFileSync(values.scenario, 'utf8')) : undefined;
const sim = await startSimulator({
  port: Number(values.port),
  host: values.host,
  scenario,
  token: values.token,
  basePath: values['base-path'],
  verbose: values.verbose,
});
process.stdout.write(`Replicate simulator: ${sim.baseUrl}\nToken: ${sim.token}\nControl: ${sim.origin}/__sim/\n`);

const stop = () => {
  sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
