import { test, expect } from './fixtures.ts';
import { openStudio, pickModel, generate, card } from './studio.helpers.ts';

// Issue 11, "Read everything you made": long prompts, long errors, counts that follow retries,
// and text answers that can be read from the start and copied.

test.use({ kilnOptions: { apiToken: 'sim' }, viewport: { width: 1280, height: 860 } });

const FLUX = 'black-forest-labs/flux-schnell';
const LLAMA = 'meta/meta-llama-3-8b-instruct';

test('a 100 KB prompt is clamped in the detail view with “Show all”; the actions stay in view', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 100 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const long = `an endless prompt ${'with many words '.repeat(6_400)}`.trim();
  await page.getByLabel('Prompt', { exact: true }).fill(long);
  await page.getByRole('button', { name: 'Generate' }).click();
  const c = page.getByRole('article', { name: /^an endless prompt with many words/ });
  await expect(c).toHaveAccessibleName(/— succeeded/);
  await c.click();
  const detail = page.getByRole('dialog', { name: /Details: an endless prompt/ });
  await expect(detail).toBeVisible();
  await expect(detail.getByRole('button', { name: 'Remix' })).toBeInViewport();
  await expect(detail.getByRole('button', { name: 'Delete' })).toBeInViewport();
  const show = detail.getByRole('button', { name: 'Show all' });
  await show.click();
  await expect(detail.getByRole('button', { name: 'Show less' })).toBeVisible();
});

test('the detail view shows the whole error, selectable, with “Copy error”', async ({ page, kiln, sim, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const error =
    'E6716: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 23.69 GiB total capacity; 20.11 GiB already allocated; 1.10 GiB free; 21.52 GiB reserved in total by PyTorch). If reserved memory is >> allocated memory try setting max_split_size_mb to avoid fragmentation — the last words';
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 100, outcome: 'failed', error } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const c = await generate(page, 'an error to read');
  await expect(c).toHaveAccessibleName(/— failed/);
  await c.click();
  const detail = page.getByRole('dialog', { name: /Details: an error to read/ });
  const err = detail.locator('.detail-error');
  await expect(err).toContainText('the last words');
  // Not cut: the box is as tall as its text.
  expect(await err.evaluate((el) => el.scrollWidth <= el.clientWidth + 1 && el.scrollHeight <= el.clientHeight + 1)).toBe(true);
  expect(await err.evaluate((el) => (globalThis as any).getComputedStyle(el).userSelect)).not.toBe('none');
  await detail.getByRole('button', { name: 'Copy error' }).click();
  await expect.poll(() => page.evaluate(() => (globalThis as any).navigator.clipboard.readText() as Promise<string>)).toContain('the last words');
});

test('counts and “N variants” follow a retry that fails fast; a failure toast is not green', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 100, outcome: 'failed', error: 'always fails' } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const c = await generate(page, 'a stubborn failure');
  await expect(c).toHaveAccessibleName(/— failed/);
  await expect(page.getByRole('button', { name: /^Failed/ })).toContainText('1');
  await c.getByRole('button', { name: 'Retry' }).click();
  // The two tries stack (issue 14); opened, each is its own card.
  await page
    .getByRole('article', { name: /^Retried · 2 runs — a stubborn failure/ })
    .getByRole('button', { name: 'Show runs' })
    .click();
  await expect(card(page, 'a stubborn failure')).toHaveCount(2);
  await expect(page.getByRole('article', { name: /a stubborn failure — failed/ })).toHaveCount(2);
  await expect(page.getByRole('button', { name: /^Failed/ })).toContainText('2');
  await expect(page.getByRole('button', { name: /^All/ })).toContainText('2');
  for (const a of await card(page, 'a stubborn failure').all()) await expect(a.locator('.variants')).toHaveText('2 variants');

  // A slow failure is announced; it says so in the failure colour.
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 5_500, runMs: 100, outcome: 'failed', error: 'slowly failed' } } });
  await generate(page, 'a slow failure');
  const toast = page.locator('.toast').filter({ hasText: 'Prediction failed' });
  await expect(toast).toBeVisible({ timeout: 30_000 });
  await expect(toast).toHaveClass(/\berror\b/);
});

test('a finished text card shows the beginning of the answer; the detail view has “Copy text”', async ({ page, kiln, sim, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  sim.control.loadScenario({ models: { [LLAMA]: { coldBootMs: 100, runMs: 1_500 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, LLAMA);
  // A prompt long enough that the answer (which quotes it first) runs past what a card shows.
  await page.getByLabel('Prompt', { exact: true }).fill(`Tell me a long story ${'about kilns and clay '.repeat(30)}`.trim());
  await page.getByRole('button', { name: 'Generate' }).click();
  const c = page.getByRole('article', { name: /^Tell me a long story/ });
  await expect(c).toHaveAccessibleName(/— succeeded/, { timeout: 30_000 });
  await c.click();
  const detail = page.getByRole('dialog', { name: /Details: Tell me a long story/ });
  const full = (await detail.locator('.stage-text').textContent())!.trim();
  expect(full.length).toBeGreaterThan(700);
  await detail.getByRole('button', { name: 'Copy text' }).click();
  await expect.poll(() => page.evaluate(() => (globalThis as any).navigator.clipboard.readText() as Promise<string>)).toContain(full.slice(0, 40));
  await page.keyboard.press('Escape');
  const start = full.replace(/\s+/g, ' ').slice(0, 30);
  await expect.poll(async () => ((await c.locator('.card-text').textContent()) ?? '').replace(/\s+/g, ' ')).toContain(start);
});
