// A second Kiln backend in its own process (like browser mode without the web server), for the
// data-folder ownership tests: `node backend-child.ts DATA_DIR BASE_URL TOKEN`. Prints one JSON
// line per backend event, and {"ready":true,"owner":…} once started; SIGTERM stops it cleanly.
import { createBackend } from '../../../electron/backend/index.ts';
import { createNodeDeps } from '../../../electron/backend/node-deps.ts';
import { FAST_ENGINE, silentLog } from '../engine/harness.ts';

const [dataDir, baseUrl, token] = process.argv.slice(2);
const backend = await createBackend(
  createNodeDeps({
    dataDir: dataDir!,
    mode: 'web',
    replicateBaseUrl: baseUrl,
    env: { REPLICATE_API_TOKEN: token },
    log: silentLog,
    engineOptions: FAST_ENGINE,
  }),
);
const line = (v: unknown) => process.stdout.write(JSON.stringify(v) + '\n');
backend.on((event, payload) => line({ event, payload }));
const release = backend.hold('test backend child');
await backend.start();
line({ ready: true, owner: backend.isOwner() });
setInterval(() => line({ owner: backend.isOwner() }), 500).unref();
process.on('SIGTERM', () => {
  void backend.stop().finally(() => {
    release();
    process.exit(0);
  });
});
