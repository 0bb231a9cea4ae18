import { test, expect } from './fixtures.ts';
import type { Page } from '@playwright/test';
import { openStudio, pickModel, generate } from './studio.helpers.ts';

// Issue 14: a video card shows a poster frame, decoded once by the page (Debian's Chromium decodes
// the simulator's H.264 sample) and kept by the backend; after a reload the poster is the vault's
// thumbnail and nothing is decoded or sent again.

test.use({ kilnOptions: { apiToken: 'sim' } });

const VEO = 'google/veo-3';
// As studio-screens: pictures go to test-results/ unless the docs are refreshed on purpose.
const SHOTS = process.env.KILN_UPDATE_DOCS === '1' ? 'docs' : 'test-results/screens';

/** Counts `media:poster` requests the page sends over browser mode's WebSocket. */
function countPosterRequests(page: Page): { n: number } {
  const seen = { n: 0 };
  page.on('websocket', (ws) =>
    ws.on('framesent', (f) => {
      if (typeof f.payload === 'string' && f.payload.includes('"media:poster"')) seen.n++;
    }),
  );
  return seen;
}

test('a video card gets a poster frame, served by the backend after a reload without decoding again', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [VEO]: { coldBootMs: 100, runMs: 300 } } });
  const sent = countPosterRequests(page);
  await openStudio(page, kiln.url);
  await pickModel(page, VEO);
  const video = await generate(page, 'a paper boat drifting');
  await expect(video).toHaveAccessibleName(/— succeeded, saved/);
  const el = video.locator('video');
  await expect(el).toHaveAttribute('poster', /thumbs\/\d{4}\/\d{2}\/[^/]+\/out-0\.webp/);
  expect(sent.n).toBe(1);
  // The poster is a real picture (the sample's frame), served as WebP by the vault.
  const posterUrl = (await el.getAttribute('poster'))!;
  const poster = await page.evaluate(async (url) => {
    const r = await fetch(url);
    const img = await createImageBitmap(await r.blob());
    return { type: r.headers.get('content-type'), w: img.width, h: img.height };
  }, posterUrl);
  expect(poster.type).toBe('image/webp');
  expect(poster.w).toBeGreaterThan(0);
  expect(poster.h).toBeGreaterThan(0);
  await expect(video.locator('.video-badge')).toHaveText(/^▶Video \d+:\d\d$/);
  for (const theme of ['light', 'dark']) {
    await page.locator('html').evaluate((el, t) => {
      (el as unknown as { dataset: Record<string, string> }).dataset.theme = t;
    }, theme);
    // animations disabled: a theme switch is a 0.12 s transition, and a shot mid-way shows light buttons on dark.
    await page.screenshot({ path: `${SHOTS}/gallery-video-poster-${theme}.png`, animations: 'disabled' });
  }

  await page.reload();
  await expect(page.locator('article.card video').first()).toHaveAttribute('poster', /thumbs\/.*out-0\.webp/);
  await page.waitForTimeout(500); // room for a (wrong) second decode to be sent
  expect(sent.n).toBe(1); // still the first one: nothing decoded or sent after the reload
});
