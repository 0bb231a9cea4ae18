import { test, expect } from './fixtures.ts';
import type { Page } from '@playwright/test';
import { openStudio, pickModel, generate, card, showAdvanced } from './studio.helpers.ts';

// Issue 14, "a gallery that scales", at 1024 px: pictures in their own shape, badges for several
// outputs and for video, a remembered thumbnail size, a composer that folds away, and actions on
// hover and focus with Delete behind the card's menu.

test.use({ kilnOptions: { apiToken: 'sim' }, viewport: { width: 1024, height: 800 } });

const FLUX = 'black-forest-labs/flux-schnell';
const VEO = 'google/veo-3';

/** Columns of the gallery's first row. */
const columns = async (page: Page) => Number(/repeat\((\d+),/.exec((await page.locator('.gallery-row').first().getAttribute('style')) ?? '')?.[1]);
const mediaRatio = (page: Page, prompt: string) =>
  card(page, prompt)
    .locator('.card-media')
    .evaluate((el) => el.clientWidth / el.clientHeight);

test('pictures keep their shape, several outputs and videos are badged, size and fold are remembered', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 200 }, [VEO]: { coldBootMs: 100, runMs: 300 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  await showAdvanced(page);
  await page.getByLabel('Aspect ratio').selectOption('21:9');
  await page.getByLabel('Num outputs').fill('4');
  const wide = await generate(page, 'a wide harbour at night');
  await expect(wide).toHaveAccessibleName(/— succeeded, saved/);
  // 21:9, not a square crop: the card's picture box has the output's shape.
  await expect.poll(() => mediaRatio(page, 'a wide harbour at night')).toBeCloseTo(21 / 9, 1);
  await expect(wide.locator('.media-badge').filter({ hasText: '×4' })).toBeVisible();
  await expect(wide.locator('img')).toHaveCSS('object-fit', 'contain');

  await pickModel(page, VEO);
  const video = await generate(page, 'a paper boat drifting');
  await expect(video).toHaveAccessibleName(/— succeeded, saved/);
  // ▶ and the length the browser read from the file's metadata.
  await expect(video.locator('.video-badge')).toHaveText(/^▶Video \d+:\d\d$/);
  await page.screenshot({ path: test.info().outputPath('gallery-1024.png') });

  // Thumbnail size: larger means fewer columns; remembered across a reload.
  const medium = await columns(page);
  await page.getByRole('radio', { name: 'Large' }).click();
  await expect.poll(() => columns(page)).toBeLessThan(medium);
  await page.getByRole('radio', { name: 'Small' }).click();
  await expect.poll(() => columns(page)).toBeGreaterThan(medium);
  const small = await columns(page);
  await page.reload();
  await expect(page.getByRole('radio', { name: 'Small' })).toBeChecked();
  await expect.poll(() => columns(page)).toBe(small);

  // The composer folds away and the gallery takes the window; remembered; Remix brings it back.
  await page.getByRole('button', { name: 'Hide composer' }).click();
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveCount(0);
  await expect.poll(() => columns(page)).toBeGreaterThan(small);
  const folded = await columns(page);
  await page.screenshot({ path: test.info().outputPath('gallery-folded-1024.png') });
  await page.reload();
  await expect(page.getByRole('button', { name: 'Show composer' })).toBeVisible();
  await expect.poll(() => columns(page)).toBe(folded);
  await card(page, 'a wide harbour at night').getByRole('button', { name: 'Remix' }).click();
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('a wide harbour at night');
});

test('card actions appear on hover and focus; Delete is a small button and last in the card menu', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 200 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const c = await generate(page, 'a teacup on a windowsill');
  await expect(c).toHaveAccessibleName(/— succeeded, saved/);
  const actions = c.locator('.card-actions');
  await page.mouse.move(0, 0);
  await expect(actions).toHaveCSS('opacity', '0');
  await c.hover();
  await expect(actions).toHaveCSS('opacity', '1');
  // Retry and Remix are the labelled ones; Delete is an icon (named for assistive tech and the fixed interface).
  await expect(actions.getByRole('button')).toHaveText(['☆', 'Retry', 'Remix', '', '⋯']);
  const names = await actions.getByRole('button').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label') ?? b.textContent));
  expect(names).toEqual(['Favourite', 'Retry', 'Remix', 'Delete', 'More actions']);
  await page.mouse.move(0, 0);
  await c.focus(); // keyboard: the card holding focus shows them too
  await expect(actions).toHaveCSS('opacity', '1');
  // Every button of the row fits inside the card, at the smallest thumbnail size too (checked below).
  const fits = () =>
    actions.evaluate((row) => {
      const r = row.getBoundingClientRect();
      return [...row.querySelectorAll('button')].every((b) => b.getBoundingClientRect().right <= r.right + 0.5);
    });
  expect(await fits()).toBe(true);
  await page.getByRole('radio', { name: 'Small' }).click();
  await c.hover();
  expect(await fits()).toBe(true);

  await c.getByRole('button', { name: 'Delete' }).click();
  await expect(c).toHaveCount(0);
  await expect(page.locator('.toast').filter({ hasText: 'Deleted “a teacup on a windowsill”' })).toBeVisible();
});
