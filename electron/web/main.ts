import { parseArgs } from 'node:util';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createBackend } from '../backend/index.ts';
import { createNodeDeps } from '../backend/node-deps.ts';
import { resolveDataDir } from '../backend/data-dir.ts';
import { startWebServer, type WebServer } from './server.ts';
import { loadOrCreateToken } from './token.ts';

// `npm run web -- --port P --data-dir D [--replicate-base-url URL] [--fal-*-url URL] [--host H]` (ARCHITECTURE.md, "Fixed interfaces").
// Prints exactly one `Kiln web: <url>` line on stdout; everything else goes to stderr and the log.
const USAGE =
  'Usage: node electron/web/main.ts [--port P] [--data-dir DIR] [--replicate-base-url URL] [--fal-queue-url URL] [--fal-api-url URL] [--fal-storage-url URL] [--host H]';

function fail(msg: string): never {
  process.stderr.write(`${msg}\n${USAGE}\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'data-dir': { type: 'string' },
      'replicate-base-url': { type: 'string' },
      'fal-queue-url': { type: 'string' },
      'fal-api-url': { type: 'string' },
      'fal-storage-url': { type: 'string' },
      host: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  }).values;
} catch (err) {
  fail((err as Error).message);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0..65535, got ${args.port}`);

const root = fileURLToPath(new URL('../..', import.meta.url));
const rendererDir = path.join(root, 'out', 'renderer');
if (!fs.existsSync(path.join(rendererDir, 'index.html'))) fail(`The renderer is not built (${rendererDir}): run \`npm run build:renderer\` first.`);
// The same data folder as the app and the CLI unless told otherwise: one history, whichever door you use.
const dataDir = args['data-dir'] ? path.resolve(args['data-dir']) : resolveDataDir();
fs.mkdirSync(dataDir, { recursive: true });
const appVersion = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;

const falBases = { queueUrl: args['fal-queue-url'], apiUrl: args['fal-api-url'], storageUrl: args['fal-storage-url'] };
const deps = createNodeDeps({ dataDir, mode: 'web', replicateBaseUrl: args['replicate-base-url'], falBases, appVersion });
const backend = await createBackend(deps);
await backend.start();
let server: WebServer;
try {
  server = await startWebServer({
    backend,
    rendererDir,
    host: args.host ?? '127.0.0.1',
    hostExplicit: args.host !== undefined,
    port,
    // Stable per data folder, so a restart keeps open tabs working; KILN_WEB_TOKEN overrides it. Never logged.
    token: loadOrCreateToken(dataDir, process.env.KILN_WEB_TOKEN),
    log: deps.log,
  });
} catch (err) {
  await backend.stop();
  fail((err as Error).message);
}
deps.log.info('web: listening', { host: server.host, port: server.port, dataDir });
process.stdout.write(`Kiln web: ${server.url}\n`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  deps.log.info('web: shutting down', { signal });
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await server.close().catch(() => {});
  await backend.stop().catch((err: unknown) => deps.log.error('web: backend stop failed', { err: String(err) }));
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
