import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, launchKiln } from './fixtures.ts';
import { openHistory } from '../../electron/backend/history/store.ts';
import { systemClock } from '../../electron/backend/types.ts';
import { makeHistory, writeMedia } from '../bench/gallery-data.ts';

// A fling through the gallery (features/scale/fling.ts): cards that mount while the gallery moves
// at fling speed show their picture and badges only, and become whole cards once it slows; at
// racing speed (a card crosses the screen within a glance) not even their picture until it slows;
// an ordinary scroll never sees a light card; a card holding focus keeps it through the change.
// The history is the gallery bench's (stacks, retries, videos, seven shapes), 400 runs.

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const RUNS = 400;

test.use({ viewport: { width: 1280, height: 860 } });

/**
 * Scrolls `steps` frames, each by `share` of a screen or, with `pxPerMs`, by the time since the
 * frame before times that speed (steady whatever the frame rate). Returns the most light cards
 * seen at once, and the most of them showing a picture.
 */
const scroll = (page: Page, share: number, steps: number, pxPerMs = 0) =>
  page.evaluate(
    async ([share, steps, pxPerMs]) => {
      const g = globalThis as any;
      const el = g.document.querySelector('.gallery-scroll');
      let most = 0;
      let pictured = 0;
      let last = performance.now();
      for (let i = 0; i < steps; i++) {
        const now = performance.now();
        el.scrollTop += pxPerMs ? (now - last) * pxPerMs : el.clientHeight * share;
        last = now;
        await new Promise((r) => g.requestAnimationFrame(r));
        const lite = [...g.document.querySelectorAll('article:has(.card-body-lite)')];
        most = Math.max(most, lite.length);
        pictured = Math.max(pictured, lite.filter((a: any) => a.querySelector('.card-media img')).length);
      }
      return { most, pictured };
    },
    [share, steps, pxPerMs] as const,
  );
const lightCards = (page: Page) => page.locator('.card-body-lite').count();

test('cards mounted during a fling are light until it slows, and picture-less while it races; a reading scroll and a focused card stay whole', async ({
  page,
  sim,
}) => {
  test.setTimeout(120_000);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-e2e-fling-'));
  await writeMedia(dataDir, path.join(import.meta.dirname, '../replicate-sim/fixtures/sample.mp4'));
  const h = openHistory({ dataDir, log: quiet, clock: systemClock });
  h.restore(makeHistory(RUNS, Date.now() - RUNS * 1000).snapshots);
  h.close();
  const kiln = await launchKiln({ dataDir, replicateBaseUrl: sim.baseUrl, apiToken: sim.token });
  try {
    await page.goto(kiln.url);
    await expect(page.getByRole('article').first()).toBeVisible();
    await expect(page.getByRole('article').first().getByRole('button', { name: 'Remix' })).toBeVisible();

    // A racing fling (40 px/ms: most of this screen per 60 Hz frame, and as fast on a slow machine
    // whose frames come late). New cards come light, and hold their pictures back.
    const racing = await scroll(page, 0, 12, 40);
    expect(racing.most).toBeGreaterThan(0);
    expect(racing.pictured).toBe(0);
    // It stops: every card on screen becomes whole, with its picture, text and actions.
    await expect.poll(() => lightCards(page)).toBe(0);
    const shown = page.getByRole('article').filter({ has: page.locator('img') });
    await expect(shown.first().getByRole('button', { name: 'Remix' })).toHaveCount(1);

    // A fling below racing speed (4 px/ms: a card is on this 860 px screen for over 200 ms): light
    // cards, with their pictures.
    await page.evaluate(() => ((globalThis as any).document.querySelector('.gallery-scroll').scrollTop = 0));
    const fling = await scroll(page, 0, 60, 4);
    expect(fling.most).toBeGreaterThan(0);
    expect(fling.pictured).toBeGreaterThan(0);
    await expect.poll(() => lightCards(page)).toBe(0);

    // Reading speed (1/60 of a screen a frame): never a light card.
    expect((await scroll(page, 1 / 60, 60)).most).toBe(0);

    // End from a focused card jumps to the last one, which takes focus; it stays focused, and whole.
    const first = page.locator('article[data-index="0"]');
    await page.evaluate(() => ((globalThis as any).document.querySelector('.gallery-scroll').scrollTop = 0));
    await first.focus();
    await page.keyboard.press('End');
    const last = page.locator('article:focus');
    await expect(last).toHaveCount(1);
    await expect.poll(() => lightCards(page)).toBe(0);
    await expect(last).toBeFocused();
    await expect(last.getByRole('button', { name: 'Remix' })).toHaveCount(1);
    expect(Number(await last.getAttribute('data-index'))).toBeGreaterThan(20);

    // What a fling looks like, in both themes: kept going in the page while the picture is taken.
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.evaluate(() => {
        const g = globalThis as any;
        const el = g.document.querySelector('.gallery-scroll');
        let down = false;
        g.__fling = setInterval(() => {
          if (el.scrollTop <= 0) down = true;
          if (el.scrollTop + el.clientHeight >= el.scrollHeight - 2) down = false;
          el.scrollTop += (down ? 1 : -1) * el.clientHeight * 0.6;
        }, 16);
      });
      await expect.poll(() => lightCards(page)).toBeGreaterThan(0);
      await page.screenshot({ path: test.info().outputPath(`gallery-fling-${scheme}.png`) });
      await page.evaluate(() => clearInterval((globalThis as any).__fling));
      await expect.poll(() => lightCards(page)).toBe(0);
    }
  } finally {
    await kiln.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
