import { test, expect } from './fixtures.ts';
import { openStudio, pickModel, generate, card, deleteFromCard, toastsGone } from './studio.helpers.ts';

// Screenshots of the main screens in both themes for docs/ and the README. It also asserts each
// screen is really there, so a broken screen fails instead of producing a blank picture.

test.use({ kilnOptions: { apiToken: 'sim' }, viewport: { width: 1440, height: 900 } });

// `npm test` must not rewrite tracked files: pictures go to test-results/ unless the docs are
// being refreshed on purpose (KILN_UPDATE_DOCS=1).
const SHOTS = process.env.KILN_UPDATE_DOCS === '1' ? 'docs' : 'test-results/screens';
const shot = (name: string) => `${SHOTS}/${name}.png`;

const FLUX = 'black-forest-labs/flux-schnell';

test('screenshots of gallery, composer, detail and settings in light and dark', async ({ page, kiln, sim }) => {
  test.setTimeout(120_000);
  sim.control.loadScenario({
    models: {
      [FLUX]: { coldBootMs: 100, runMs: 200 },
      'black-forest-labs/flux-dev': { coldBootMs: 100, runMs: 200 },
      'meta/meta-llama-3-8b-instruct': { coldBootMs: 100, runMs: 1500 },
    },
  });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const prompts = [
    'a red fox in fresh snow, morning light',
    'a ceramic teapot on a wooden table, studio photo',
    'an isometric cozy library with plants',
    'a lighthouse on a cliff during a storm [fail]',
    'a bowl of ramen, overhead shot',
    'neon city street at night in the rain',
  ];
  for (const p of prompts) await expect(await generate(page, p)).toHaveAccessibleName(/— (succeeded, saved|failed)/);

  await pickModel(page, 'google/veo-3');
  sim.control.loadScenario({ models: { 'google/veo-3': { coldBootMs: 100, runMs: 300 }, 'meta/meta-llama-3-8b-instruct': { coldBootMs: 100, runMs: 1500 } } });
  const video = await generate(page, 'waves rolling onto a black sand beach, drone shot');
  await expect(video).toHaveAccessibleName(/— succeeded, saved/, { timeout: 30_000 });
  await expect(video.locator('video')).toHaveCount(1);

  await pickModel(page, 'meta/meta-llama-3-8b-instruct');
  await expect(await generate(page, 'Write a haiku about a kiln')).toHaveAccessibleName(/— succeeded/, { timeout: 30_000 });

  // One cold-booting, one mid-run, to show the live states.
  await pickModel(page, FLUX);
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 30 * 60_000 }, 'black-forest-labs/flux-dev': { coldBootMs: 100, runMs: 60_000 } } });
  const cold = await generate(page, 'a mountain cabin under the aurora');
  await expect(cold).toHaveAccessibleName(/— starting/);
  await pickModel(page, 'black-forest-labs/flux-dev');
  const running = await generate(page, 'a paper boat on a rain puddle, macro');
  await expect(running).toHaveAccessibleName(/— processing/, { timeout: 15_000 });
  // The media area says what is happening: a ticking cold boot, a percentage while processing.
  await expect(cold.locator('.pending-title')).toHaveText(/^Cold boot — \d+:\d\d$/, { timeout: 20_000 });
  await expect(running.locator('.pending-title')).toHaveText(/^[1-9]\d*%$/, { timeout: 20_000 });
  await card(page, 'a red fox in fresh snow, morning light').getByRole('button', { name: 'Favourite' }).click();
  const gone = await generate(page, 'a cracked vase, deleted by mistake');
  // In flight (flux-dev is warm by now, so it may already be processing): deleting it cancels it.
  await expect(gone).toHaveAccessibleName(/— (starting|processing)/);
  await deleteFromCard(page, gone);
  await expect(gone).toHaveCount(0);
  await page.locator('.toast').filter({ hasText: 'Deleted' }).getByRole('button', { name: 'Dismiss' }).click();
  await toastsGone(page);
  await page.locator('.gallery-scroll').evaluate((el) => {
    el.scrollTop = 0;
  });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.mouse.move(0, 0);
    await page.waitForTimeout(300);
    await page.screenshot({ path: shot(`gallery-${scheme}`) });
  }

  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByRole('button', { name: /^Model: .*Change model$/ }).click();
  await expect(page.getByRole('dialog', { name: 'Choose a model' })).toBeVisible();
  await page.waitForTimeout(300);
  await page.screenshot({ path: shot('composer-light') });
  await page.keyboard.press('Escape');

  await page.emulateMedia({ colorScheme: 'dark' });
  await card(page, 'a red fox in fresh snow, morning light').click();
  const detail = page.getByRole('dialog', { name: /Details: a red fox/ });
  await expect(detail.locator('.zoom img')).toBeVisible();
  await page.waitForTimeout(300);
  await page.screenshot({ path: shot('detail-dark') });
  await page.keyboard.press('Escape');

  await card(page, 'Write a haiku about a kiln').click();
  await expect(page.locator('.stage-text')).toBeVisible();
  await page.screenshot({ path: shot('detail-text-dark') });
  await page.keyboard.press('Escape');

  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await card(page, 'a ceramic teapot on a wooden table, studio photo').getByRole('button', { name: 'More actions' }).click();
    await expect(page.getByRole('menu')).toBeVisible();
    await page.waitForTimeout(300);
    await page.screenshot({ path: shot(`card-menu-${scheme}`) });
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Recently deleted' }).click();
    await expect(page.getByRole('dialog', { name: 'Recently deleted' }).getByRole('listitem')).toHaveCount(1);
    await page.waitForTimeout(300);
    await page.screenshot({ path: shot(`recently-deleted-${scheme}`) });
    await page.keyboard.press('Escape');
  }

  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByText(/Set, ends in/)).toBeVisible();
    await page.waitForTimeout(300);
    await page.screenshot({ path: shot(`settings-${scheme}`) });
    await page.getByRole('button', { name: 'Close' }).click();
  }
});

test('first run: the empty state explains what to do', async ({ page, kilnAlone }) => {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(kilnAlone.url);
    await expect(page.getByRole('heading', { name: 'Your gallery is empty' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Get a Replicate API key' })).toBeVisible();
    // Either provider's key will do: both key pages are one click away.
    await expect(page.getByRole('link', { name: 'Get a fal API key' })).toHaveAttribute('href', 'https://fal.ai/dashboard/keys');
    await page.screenshot({ path: shot(`first-run-${scheme}`) });
  }
});
