import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.ts';
import { openStudio, pickModel, generate, card, creates, sentInputs } from './studio.helpers.ts';

// Issue 11, "Never send a run that can only fail": every way the composer could start a run that
// is doomed (no key, no schema, a refused input, a wrong file) is stopped before it costs money,
// and the reason is said where the person is looking.

const FLUX = 'black-forest-labs/flux-schnell';
const ESRGAN = 'nightmareai/real-esrgan';

async function generateButton(page: Page) {
  return page.getByRole('button', { name: 'Generate' });
}

test.describe('without a key', () => {
  test('Generate is disabled and says why; Ctrl+Enter records nothing', async ({ page, kiln, sim }) => {
    await page.goto(kiln.url);
    const gen = await generateButton(page);
    await expect(gen).toBeDisabled();
    await expect(gen).toHaveAccessibleDescription('Add your Replicate key in Settings');
    await page.keyboard.press('Control+Enter');
    await page.waitForTimeout(800);
    await expect(page.getByRole('article')).toHaveCount(0);
    expect(creates(sim)).toBe(0);
  });
});

test.describe('with a key', () => {
  test.use({ kilnOptions: { apiToken: 'sim' } });

  test('before the model’s inputs have loaded, Generate is disabled with the reason', async ({ page, kiln, sim }) => {
    // The model's schema answer is held back for a few seconds.
    sim.control.loadScenario({ faults: [{ endpoint: 'models', kind: 'slow', delayMs: 6_000, count: 1_000 }] });
    await page.goto(kiln.url);
    const gen = await generateButton(page);
    await expect(gen).toHaveAccessibleDescription('Loading the model’s inputs…');
    await expect(gen).toBeDisabled();
    await page.keyboard.press('Control+Enter');
    await page.waitForTimeout(500);
    await expect(page.getByRole('article')).toHaveCount(0);
    expect(creates(sim)).toBe(0);
  });

  test('offline, a model used before composes and queues from its kept schema; schemas reload when the network returns', async ({ page, kiln, sim }) => {
    test.setTimeout(150_000);
    sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 200, runMs: 200 } } });
    await openStudio(page, kiln.url);
    await pickModel(page, FLUX);
    await expect(await generate(page, 'made while online')).toHaveAccessibleName(/— succeeded, saved/);

    // The network goes; Kiln restarts (nothing kept in memory), the page reloads.
    sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 200, runMs: 200 } }, faults: [{ endpoint: '*', kind: 'reset', count: 1_000_000 }] });
    await kiln.restart();
    await page.reload();
    const prompt = page.getByLabel('Prompt', { exact: true });
    await expect(prompt).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole('button', { name: `Model: ${FLUX}. Change model` })).toBeVisible();
    await expect(page.locator('.composer-form [data-field="aspect_ratio"]')).toHaveCount(1);
    const gen = await generateButton(page);
    await expect(gen).toBeEnabled();
    await prompt.fill('queued while offline');
    await gen.click();
    const c = card(page, 'queued while offline');
    await expect(c).toHaveAccessibleName(/— (queued|submitting)/, { timeout: 30_000 });

    // A model never loaded cannot be composed offline: disabled, with the reason.
    await page.getByRole('button', { name: /^Model: .*Change model$/ }).click();
    await page.getByRole('combobox', { name: 'Search models' }).fill('esrgan');
    await page
      .getByRole('option', { name: new RegExp(`^${ESRGAN}`) })
      .first()
      .click()
      .catch(async () => {
        // Search is offline too: the starter list still names it.
        await page.getByRole('combobox', { name: 'Search models' }).fill('');
        await page
          .getByRole('option', { name: new RegExp(`^${ESRGAN}`) })
          .first()
          .click();
      });
    await expect(gen).toBeDisabled({ timeout: 30_000 });
    await expect(gen).toHaveAccessibleDescription('Offline — this model’s inputs were never loaded');

    // The network returns: the form loads by itself, and the queued run goes out with its input.
    sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 200, runMs: 200 } } });
    await expect(page.locator('.composer-form [data-field="scale"]')).toHaveCount(1, { timeout: 60_000 });
    await expect(gen).toBeEnabled();
    await expect(c).toHaveAccessibleName(/— succeeded, saved/, { timeout: 60_000 });
    const sent = (await sentInputs(sim)).map((p) => p.input.prompt);
    expect(sent).toContain('queued while offline');
  });

  test('a run refused for its input offers “Fix and run”, which opens Remix with the field errors', async ({ page, kiln, sim }) => {
    await openStudio(page, kiln.url);
    await pickModel(page, ESRGAN);
    await page.getByLabel('Image URL').fill('not a url');
    await page.getByLabel('Image URL').press('Enter');
    await page.getByRole('button', { name: 'Generate' }).click();
    // A run without a prompt is named by its first text input: here the refused URL.
    const c = card(page, 'not a url');
    await expect(c).toHaveAccessibleName(/— failed/);
    await expect(c.getByRole('button', { name: 'Retry' })).toHaveCount(0);
    // Another model in the composer: Fix and run must bring this one back.
    await pickModel(page, FLUX);
    const before = creates(sim);
    await c.getByRole('button', { name: 'Fix and run' }).click();
    await expect(page.getByRole('button', { name: `Model: ${ESRGAN}. Change model` })).toBeVisible();
    await expect(page.locator('[data-field="image"] .field-error')).toContainText(/uri/i);
    expect(creates(sim)).toBe(before);
  });

  test('an image field refuses a file that is not an image, by its bytes, and the picker says what it accepts', async ({ page, kiln }) => {
    await openStudio(page, kiln.url);
    await pickModel(page, ESRGAN);
    const picker = page.locator('[data-field="image"] input[type="file"]');
    await expect(picker).toHaveAttribute('accept', /image\//);
    // Named like a PNG, but its bytes are a zip archive.
    await picker.setInputFiles({ name: 'holiday.png', mimeType: 'image/png', buffer: Buffer.from('PK\u0003\u0004 not an image at all', 'binary') });
    await expect(page.locator('[data-field="image"]')).toContainText('holiday.png is not an image (PNG, JPEG, WebP or GIF)');
    await expect(page.getByRole('img', { name: 'Preview of holiday.png' })).toHaveCount(0);
  });

  test('out-of-range settings say why they were not saved', async ({ page, kiln }) => {
    await openStudio(page, kiln.url);
    await page.getByRole('button', { name: 'Settings' }).click();
    const n = page.getByLabel('Predictions started at once');
    await n.fill('40');
    await n.blur();
    await expect(page.getByRole('dialog', { name: 'Settings' })).toContainText('Predictions started at once must be between 1 and 32');
    await expect(n).toHaveAttribute('aria-invalid', 'true');
  });

  test('Ctrl+Enter inside the detail view does not start a run from the hidden composer', async ({ page, kiln, sim }) => {
    sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 100 } } });
    await openStudio(page, kiln.url);
    await pickModel(page, FLUX);
    const c = await generate(page, 'only one of me');
    await expect(c).toHaveAccessibleName(/— succeeded, saved/);
    await c.click();
    await expect(page.getByRole('dialog', { name: /Details: only one of me/ })).toBeVisible();
    await page.keyboard.press('Control+Enter');
    await page.waitForTimeout(1_000);
    await page.keyboard.press('Escape');
    await expect(page.getByRole('article')).toHaveCount(1);
    expect(creates(sim)).toBe(1);
  });
});

test.describe('key checks', () => {
  test('a rejected key is never shown as good', async ({ page, kiln }) => {
    await page.goto(kiln.url);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Replicate API key').fill('r8_this_key_is_wrong_0000');
    await page.getByRole('button', { name: 'Save key' }).click();
    const status = page.getByRole('dialog', { name: 'Settings' }).locator('.key-status');
    await expect(status).toContainText('Rejected by Replicate');
    await expect(status.locator('.dot.ok')).toHaveCount(0);
    await expect(status.locator('.dot.bad')).toHaveCount(1);
    await page.keyboard.press('Escape');
    await expect(page.getByRole('button', { name: 'Generate' })).toBeDisabled();
    await expect(page.getByRole('button', { name: 'Generate' })).toHaveAccessibleDescription(/Replicate rejected your key|Add your Replicate key/);
  });

  test('a good key is shown as checked with its account', async ({ page, kiln, sim }) => {
    await page.goto(kiln.url);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Replicate API key').fill(sim.token);
    await page.getByRole('button', { name: 'Save key' }).click();
    const status = page.getByRole('dialog', { name: 'Settings' }).locator('.key-status');
    await expect(status).toContainText(`Set, ends in ${sim.token.slice(-4)}`);
    await expect(status).toContainText('Checked with Replicate');
    await expect(status.locator('.dot.ok')).toHaveCount(1);
  });

  test('a key that cannot be checked (offline) says so, not “good”', async ({ page, kilnAlone }) => {
    await page.goto(kilnAlone.url);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Replicate API key').fill('r8_cannot_check_this_0000');
    await page.getByRole('button', { name: 'Save key' }).click();
    const status = page.getByRole('dialog', { name: 'Settings' }).locator('.key-status');
    await expect(status).toContainText('Not checked yet');
    await expect(status.locator('.dot.ok')).toHaveCount(0);
  });
});
