// Child process for crash.test.ts: writes to the history as fast as it can (intents, status
// changes, outputs, deletes) and reports each committed intent on stdout, until it is killed.
// Bounded: exits by itself after 20 s or 200,000 predictions if nobody kills it.
import { openHistory } from '../../../electron/backend/history/store.ts';
import { systemClock } from '../../../electron/backend/types.ts';

const dataDir = process.argv[2]!;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const h = openHistory({ dataDir, log: quiet, clock: systemClock });
const prefix = process.argv[3] ?? 'w';
const end = Date.now() + 20_000;
for (let i = 0; i < 200_000 && Date.now() < end; i++) {
  const id = `${prefix}-${i}`;
  h.insertIntent({
    id,
    provider: 'replicate',
    model: 'owner/model',
    version: null,
    target: 'model',
    input: { prompt: `crash test prompt ${i} ${'x'.repeat(i % 300)}` },
  });
  process.stdout.write(`${i}\n`);
  h.update(id, { status: 'starting', providerId: `p-${prefix}-${i}` });
  h.update(id, { status: 'succeeded', logs: 'done '.repeat(i % 50), output: [`https://x/${i}.png`] });
  h.setOutputs(id, [
    {
      index: 0,
      kind: 'image',
      state: 'pending',
      remoteUrl: `https://x/${i}.png`,
      path: null,
      thumbPath: null,
      mime: null,
      size: null,
      width: null,
      height: null,
      sha256: null,
      error: null,
    },
  ]);
  if (i % 10 === 9) h.removeMany([`${prefix}-${i - 5}`], { skipFavourites: true });
}
h.close();
