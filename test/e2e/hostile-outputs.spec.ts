import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Page } from '@playwright/test';
import { test, expect, launchKiln } from './fixtures.ts';
import { openHistory } from '../../electron/backend/history/store.ts';
import { systemClock } from '../../electron/backend/types.ts';
import type { OutputRecord, PredictionRecord } from '../../electron/backend/records/types.ts';
import { makeHistory } from '../bench/gallery-data.ts';

// Outputs that would cost the page its memory or its thread, as the backend leaves them in the
// history: a picture the vault refused a thumbnail because decoding it would be a bomb
// (vault/thumbs.ts; test/integration/history/thumbnail-bombs.test.ts), and model text whose
// markdown parse would freeze the page (features/detail/markdown-budget.ts).

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const SHOTS = process.env.KILN_SHOTS; // a folder: screenshots of both views in both themes
const shot = async (page: Page, name: string) => {
  await page.waitForTimeout(400); // the theme's colour transitions, finished before the picture
  await page.screenshot({ path: path.join(SHOTS!, name) });
};

/** A data folder holding one finished run, changed by `record` and with `outputs`. */
function seed(dataDir: string, record: Partial<PredictionRecord>, outputs: (id: string) => OutputRecord[]): void {
  const [snap] = makeHistory(1, Date.now() - 60_000).snapshots;
  snap!.record = { ...snap!.record, status: 'succeeded', saveState: 'saved', error: null, ...record };
  snap!.outputs = outputs(snap!.record.id);
  const h = openHistory({ dataDir, log: quiet, clock: systemClock });
  h.restore([snap!]);
  h.close();
}

test('a picture too large to decode is named, not loaded, in the card and the detail view', async ({ page, sim }) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-e2e-bomb-'));
  const rel = 'bombs/huge.gif';
  fs.mkdirSync(path.join(dataDir, 'media', 'bombs'), { recursive: true });
  await sharp({ create: { width: 6000, height: 6000, channels: 3, background: '#c81e1e' }, limitInputPixels: false })
    .gif()
    .toFile(path.join(dataDir, 'media', rel));
  const size = fs.statSync(path.join(dataDir, 'media', rel)).size;
  seed(dataDir, { input: { prompt: 'a very large lighthouse' } }, (predictionId) => [
    {
      predictionId,
      index: 0,
      kind: 'image',
      state: 'saved',
      remoteUrl: null,
      path: rel,
      thumbPath: null,
      mime: 'image/gif',
      size,
      width: 6000,
      height: 6000,
      sha256: null,
      error: null,
    },
  ]);
  const kiln = await launchKiln({ dataDir, replicateBaseUrl: sim.baseUrl, apiToken: sim.token });
  const asked: string[] = [];
  page.on('request', (r) => void (r.url().includes('huge.gif') && asked.push(r.url())));
  try {
    await page.goto(kiln.url);
    const card = page.getByRole('article', { name: /a very large lighthouse/ });
    await expect(card.getByText('Too large to preview (6000×6000)')).toBeVisible();
    await expect(card.locator('img')).toHaveCount(0);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      if (SHOTS) await shot(page, `too-large-card-${scheme}.png`);
    }

    await card.click();
    const detail = page.getByRole('dialog', { name: /Details: a very large lighthouse/ });
    await expect(detail.getByText('Too large to preview (6000×6000)')).toBeVisible();
    await expect(detail.getByRole('button', { name: 'Show in folder' })).toBeVisible();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      if (SHOTS) await shot(page, `too-large-detail-${scheme}.png`);
    }
    expect(asked).toEqual([]);
  } finally {
    await kiln.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('model text whose markdown parse would freeze the page is shown as it is, and the page stays usable', async ({ page, sim }) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-e2e-text-'));
  // 50 KB of lists nested on one line: micromark took over ten seconds for 20 KB of it.
  const text = `An answer that nests:\n${'- '.repeat(25_000)}end of the answer`;
  seed(dataDir, { input: { prompt: 'a deeply nested answer' }, model: 'meta/meta-llama-3-8b-instruct', text, output: [text] }, () => []);
  const kiln = await launchKiln({ dataDir, replicateBaseUrl: sim.baseUrl, apiToken: sim.token });
  try {
    await page.goto(kiln.url);
    await page.getByRole('article', { name: /a deeply nested answer/ }).click();
    const detail = page.getByRole('dialog', { name: /Details: a deeply nested answer/ });
    await expect(detail.locator('.stage-text-plain')).toContainText('end of the answer');
    await page.keyboard.press('Escape');
    await expect(detail).toHaveCount(0);
  } finally {
    await kiln.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
