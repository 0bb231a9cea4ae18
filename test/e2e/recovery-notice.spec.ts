import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect, launchKiln } from './fixtures.ts';
import { openHistory } from '../../electron/backend/history/store.ts';
import { systemClock } from '../../electron/backend/types.ts';

// A history.db damaged in the middle (issue 10, item 5), opened by the real browser-mode app: the
// gallery shows what could be salvaged and a banner says what happened, how many runs came back and
// where the damaged file is; dismissed, it stays gone.

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

test('a damaged history is salvaged and the app says so once', async ({ page, sim }) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-e2e-damaged-'));
  const h = openHistory({ dataDir, log: quiet, clock: systemClock });
  for (let i = 0; i < 1500; i++) {
    h.insertIntent({
      id: `r${i}`,
      provider: 'replicate',
      model: 'owner/m',
      version: null,
      target: 'model',
      input: { prompt: `salvage me number ${i} `.repeat(10) },
    });
    h.update(`r${i}`, { status: 'failed', error: { code: null, message: 'old failure' } });
  }
  h.close();
  await new Promise((r) => setTimeout(r, 30)); // a later writer: a new mtime
  const file = path.join(dataDir, 'history.db');
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(3 * 4096, 0xab), 0, 3 * 4096, Math.floor(fs.statSync(file).size / 3 / 4096) * 4096);
  fs.closeSync(fd);

  const kiln = await launchKiln({ dataDir, replicateBaseUrl: sim.baseUrl, apiToken: sim.token });
  try {
    await page.goto(kiln.url);
    const banner = page.getByRole('alert').filter({ hasText: 'history database was damaged' });
    await expect(banner).toContainText(/\d+ of 1500 runs were recovered/);
    await expect(banner).toContainText(path.join(dataDir, 'history.db.damaged-'));
    await expect(page.getByRole('article').first()).toBeVisible(); // the salvaged gallery is there
    await banner.getByRole('button', { name: 'Dismiss' }).click();
    await expect(banner).toHaveCount(0);
    await page.reload();
    await expect(page.getByRole('article').first()).toBeVisible();
    await expect(page.getByRole('alert').filter({ hasText: 'history database was damaged' })).toHaveCount(0);
  } finally {
    await kiln.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
