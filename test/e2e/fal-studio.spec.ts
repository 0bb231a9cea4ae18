import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.ts';
import type { FalSim } from '../fal-sim/types.ts';
import { card, generate, openRetries, openStudio, pickModel, showAdvanced } from './studio.helpers.ts';

// fal.ai from the studio in browser mode, against the fal simulator over real HTTP (issue 12):
// the key saved in Settings, fal models in the picker with their provider label, an image that
// waits its turn in fal's queue ("In queue — N ahead") and is saved, a video, a cancel, a job
// that fails only at the result fetch (fal's message, then Retry), and the outputs browsed offline.

const FLUX_DEV = 'fal:fal-ai/flux/dev';
const SCHNELL = 'fal:fal-ai/flux/schnell';
const KLING = 'fal:fal-ai/kling-video/v2.1/master/text-to-video';

/** Jobs submitted straight to the simulator by "someone else" on the account: they hold the runners. */
async function occupy(fal: FalSim, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${fal.queueUrl}/fal-ai/flux/dev`, {
      method: 'POST',
      headers: { authorization: `Key ${fal.key}`, 'content-type': 'application/json' },
      // [long]: ten minutes of simulated running, so the queue stays put until the test advances time.
      body: JSON.stringify({ prompt: `someone else's job ${i} [long]` }),
    });
    expect(r.status).toBe(200);
  }
}

async function imageLoaded(page: Page, prompt: string) {
  const img = card(page, prompt).locator('img').first();
  await expect(img).toBeVisible();
  await expect
    .poll(() =>
      img.evaluate((el) => {
        const i = el as unknown as { complete: boolean; naturalWidth: number };
        return i.complete ? i.naturalWidth : 0;
      }),
    )
    .toBeGreaterThan(0);
}

test('a fal model before a fal key: its form loads, Generate asks for fal’s key, and works once it is saved', async ({ page, kilnFal, falSim }, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 860 });
  await openStudio(page, kilnFal.url);
  // fal's catalogue and input schemas are public: the model and its form are there before any key.
  await page.getByRole('button', { name: /^Model: .*Change model$/ }).click();
  const menu = page.getByRole('dialog', { name: 'Choose a model' });
  await menu.getByRole('combobox', { name: 'Search models' }).fill('flux');
  await menu.getByRole('option', { name: `${FLUX_DEV} — fal` }).click();
  await expect(page.getByRole('button', { name: `Model: ${FLUX_DEV}. Change model` })).toBeVisible();
  await page.getByLabel('Prompt', { exact: true }).fill('a lighthouse before the key');
  const gen = page.getByRole('button', { name: 'Generate' });
  await expect(gen).toBeDisabled();
  await expect(gen).toHaveAccessibleDescription('Add your fal key in Settings');
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(200);
    await page.screenshot({ path: testInfo.outputPath(`fal-key-missing-${scheme}.png`), animations: 'disabled' });
  }
  await page.getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await settings.getByLabel('fal API key').fill(falSim.key);
  await settings.getByRole('button', { name: 'Save fal key' }).click();
  await expect(settings.getByRole('status', { name: 'fal key status' })).toContainText('Checked with fal');
  await page.keyboard.press('Escape');
  // No reload: the prompt typed before is still there and goes out with the key now saved.
  await expect(gen).toBeEnabled();
  await gen.click();
  await expect(card(page, 'a lighthouse before the key')).toHaveAccessibleName(/— succeeded, saved/, { timeout: 30_000 });

  // The ledger names it as every other screen does: the provider "fal", the model by its fal: reference.
  await page.getByRole('button', { name: 'Spend' }).click();
  const spend = page.getByRole('dialog', { name: 'Spend' });
  await expect(spend.getByRole('table', { name: 'Per provider' }).getByRole('row', { name: /^fal / })).toContainText('$0.025');
  await expect(spend.getByRole('table', { name: 'Per model' }).getByRole('row', { name: /^fal:fal-ai\/flux\/dev / })).toContainText('$0.025');
});

test.describe('fal key saved in Settings', () => {
  test.use({ falSimOptions: { scenario: { concurrency: 1 } } });

  test('key, picker label, queue position, saved image, provider filter, then browsed offline', async ({ page, kilnFal, falSim }, testInfo) => {
    await page.setViewportSize({ width: 1280, height: 860 });
    await openStudio(page, kilnFal.url);

    // Settings: a key section per provider; fal's key checked with fal before it is shown as good.
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await expect(settings.getByRole('heading', { name: 'Replicate' })).toBeVisible();
    await expect(settings.getByRole('heading', { name: 'fal', exact: true })).toBeVisible();
    await settings.getByLabel('fal API key').fill(falSim.key);
    await settings.getByRole('button', { name: 'Save fal key' }).click();
    const falStatus = settings.getByRole('status', { name: 'fal key status' });
    await expect(falStatus).toContainText(`Set, ends in ${falSim.key.slice(-4)}`);
    await expect(falStatus).toContainText('Checked with fal');
    await expect(settings.getByRole('status', { name: 'Replicate key status' })).toContainText('No key yet');
    await expect(settings.getByLabel('fal API key')).toHaveValue('');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(200);
      await page.screenshot({ path: testInfo.outputPath(`settings-keys-${scheme}.png`), fullPage: true });
    }
    await settings.getByRole('button', { name: 'Close' }).click();

    // The picker names who runs each model: "REF — fal", with a visible label.
    await page.getByRole('button', { name: /^Model: .*Change model$/ }).click();
    const menu = page.getByRole('dialog', { name: 'Choose a model' });
    const option = menu.getByRole('option', { name: `${FLUX_DEV} — fal` });
    await expect(option).toBeVisible();
    await expect(option.locator('.provider-badge')).toHaveText('fal');
    await expect(menu.getByRole('option', { name: `${KLING} — fal` })).toBeVisible();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(200);
      await page.screenshot({ path: testInfo.outputPath(`picker-${scheme}.png`) });
    }
    await page.keyboard.press('Escape');
    await page.emulateMedia({ colorScheme: 'light' });

    await pickModel(page, FLUX_DEV);
    // fal's OpenAPI form: image_size is a choice of fal's presets.
    await expect(page.getByLabel('Image Size')).toHaveValue('landscape_4_3');

    // One runner, taken; one job waiting before ours: "In queue — 1 ahead".
    await occupy(falSim, 2);
    const c = await generate(page, 'a kiln at night, sparks');
    await expect(c.locator('.card-note')).toHaveText('In queue — 1 ahead');
    await expect(c.locator('.provider-badge')).toHaveText('fal');

    // Twenty minutes of simulated time: the others finish, ours runs and is saved.
    falSim.control.advance(20 * 60_000);
    await expect(c).toHaveAccessibleName(/— succeeded, saved/, { timeout: 45_000 });
    await imageLoaded(page, 'a kiln at night, sparks');
    expect(falSim.control.jobs().map((j) => j.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);

    // The gallery's provider filter.
    const filter = page.getByLabel('Provider filter');
    await filter.selectOption('replicate');
    await expect(c).toHaveCount(0);
    await filter.selectOption('fal');
    await expect(c).toBeVisible();
    await filter.selectOption('');

    // Offline: fal gone, page reloaded — the output is still there, from the vault.
    await falSim.close();
    await page.reload();
    await expect(card(page, 'a kiln at night, sparks')).toHaveAccessibleName(/— succeeded, saved/);
    await imageLoaded(page, 'a kiln at night, sparks');
    // One picture is one output: fal's answer object (seed, timings) is kept beside it, but it is
    // neither counted on the card nor what the detail opens on.
    await expect(card(page, 'a kiln at night, sparks').locator('.media-badge')).toHaveCount(0);
    await card(page, 'a kiln at night, sparks').click();
    const detail = page.getByRole('dialog', { name: /Details: a kiln at night/ });
    await expect(detail.getByRole('img', { name: 'a kiln at night, sparks' })).toBeVisible();
    await expect(detail.getByText('No output saved')).toHaveCount(0);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: testInfo.outputPath(`fal-detail-${scheme}.png`), animations: 'disabled' });
    }
  });
});

test.describe('fal key from FAL_KEY', () => {
  test.use({ falOptions: { falKey: 'sim' } });

  test('a video run is saved; a queued run is canceled at fal', async ({ page, kilnFal, falSim }) => {
    await openStudio(page, kilnFal.url);
    await pickModel(page, KLING);
    // A short enum is a radio group: fal's string choices "5" / "10" seconds, the default picked
    // (an optional setting, so it sits under Advanced).
    await showAdvanced(page);
    await expect(page.getByRole('radiogroup', { name: 'Duration' }).getByRole('radio', { name: '5' })).toBeChecked();
    const v = await generate(page, 'embers drifting over a kiln');
    await expect(v).not.toHaveAccessibleName(/— (queued|submitting)/);
    falSim.control.advance(2 * 60_000);
    await expect(v).toHaveAccessibleName(/— succeeded, saved/, { timeout: 45_000 });
    await expect(v.locator('video')).toHaveAttribute('src', /.+/);
    await expect(v.locator('.provider-badge')).toHaveText('fal');

    // Cancel while it waits for a runner.
    falSim.control.loadScenario({ concurrency: 1 });
    await occupy(falSim, 1);
    await pickModel(page, SCHNELL);
    const c = await generate(page, 'never mind this one');
    await expect(c.locator('.card-note')).toHaveText('In queue — next');
    await c.getByRole('button', { name: 'Cancel' }).click();
    await expect(c).toHaveAccessibleName(/— canceled/);
    await expect
      .poll(() =>
        falSim.control
          .jobs()
          .filter((j) => j.endpoint_id === 'fal-ai/flux/schnell')
          .map((j) => j.canceled),
      )
      .toEqual([true]);
    await expect(c.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  });

  test('a job that fails only at the result fetch shows fal’s message, and Retry succeeds', async ({ page, kilnFal, falSim }) => {
    // The next submit's job ends COMPLETED like any other; only its result says the runner crashed.
    falSim.control.loadScenario({ faults: [{ endpoint: 'submit', kind: 'runner-error', count: 1, endpointId: 'fal-ai/flux/schnell' }] });
    await openStudio(page, kilnFal.url);
    await pickModel(page, SCHNELL);
    const c = await generate(page, 'a cracked celadon glaze');
    falSim.control.advance(60_000);
    await expect(c).toHaveAccessibleName(/a cracked celadon glaze — failed/, { timeout: 45_000 });
    await expect(c.locator('.card-error')).toContainText('CUDA out of memory');

    await c.getByRole('button', { name: 'Retry' }).click();
    await openRetries(page, 'a cracked celadon glaze', 2);
    await expect(card(page, 'a cracked celadon glaze')).toHaveCount(2);
    falSim.control.advance(60_000);
    const ok = page.getByRole('article', { name: /a cracked celadon glaze — succeeded, saved/ });
    await expect(ok).toHaveCount(1, { timeout: 45_000 });
    await expect(page.getByRole('article', { name: /a cracked celadon glaze — failed/ })).toHaveCount(1);
    await expect(ok.locator('.variants')).toHaveText('2 variants');
    await expect(ok.locator('img')).toBeVisible();
  });
});

test.describe('fal image sizes', () => {
  test.use({ falOptions: { falKey: 'sim' } });

  test('image_size is a preset or a custom width × height: bounds named, the object sent as fal takes it', async ({ page, kilnFal, falSim }, testInfo) => {
    await openStudio(page, kilnFal.url);
    await pickModel(page, FLUX_DEV);
    await showAdvanced(page);
    const size = page.getByLabel('Image Size', { exact: true });
    await expect(size).toHaveValue('landscape_4_3');
    await expect(size.locator('option:checked')).toHaveText('Landscape 4:3 (1024×768)');

    // Custom starts from the preset's pixels.
    await size.selectOption({ label: 'Custom size…' });
    const width = page.getByLabel('Image Size: width');
    const height = page.getByLabel('Image Size: height');
    await expect(width).toHaveValue('1024');
    await expect(height).toHaveValue('768');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(200);
      await page.locator('[data-field="image_size"]').screenshot({ path: testInfo.outputPath(`image-size-custom-${scheme}.png`) });
    }

    // Past ImageSize's maximum: the side is named, nothing is sent.
    await width.fill('20000');
    await page.getByLabel('Prompt', { exact: true }).fill('a tall kiln chimney');
    await page.getByRole('button', { name: 'Generate' }).click();
    await expect(page.locator('[data-field="image_size"] .field-error')).toHaveText('Width must be at most 14142');
    await expect(card(page, 'a tall kiln chimney')).toHaveCount(0);

    await width.fill('1200');
    await height.fill('800');
    const c = await generate(page, 'a tall kiln chimney');
    falSim.control.advance(60_000);
    await expect(c).toHaveAccessibleName(/— succeeded, saved/, { timeout: 45_000 });
    // What fal received, read back from its request history as a client would.
    const history = (await (
      await fetch(`${falSim.apiUrl}/models/requests/by-endpoint?endpoint_id=fal-ai/flux/dev&expand=payloads`, {
        headers: { authorization: `Key ${falSim.key}` },
      })
    ).json()) as { items: { json_input?: { prompt?: string; image_size?: unknown } }[] };
    const sent = history.items.find((i) => i.json_input?.prompt === 'a tall kiln chimney');
    expect(sent?.json_input?.image_size).toEqual({ width: 1200, height: 800 });

    // Remix brings the run back on fal (its record keeps fal's endpoint id without `fal:`; read as a
    // Replicate model it asked for a Replicate key), the custom size as width and height.
    await size.selectOption('square_hd');
    await c.getByRole('button', { name: 'Remix' }).click();
    await expect(width).toHaveValue('1200');
    await expect(height).toHaveValue('800');
  });
});
