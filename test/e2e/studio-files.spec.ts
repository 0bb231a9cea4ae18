import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, launchKiln } from './fixtures.ts';
import { openStudio, pickModel, generate, card } from './studio.helpers.ts';
import type { PredictionView } from '../../shared/domain/prediction.ts';

// Saved files and what happens around them: a file deleted outside Kiln, desktop-only actions in
// browser mode, importing an exported history into another Kiln, and links/images in model text.

test.use({ kilnOptions: { apiToken: 'sim' } });

const FLUX = 'black-forest-labs/flux-schnell';
const LLAMA = 'meta/meta-llama-3-8b-instruct';

async function imageLoaded(page: Page, prompt: string): Promise<void> {
  const img = card(page, prompt).locator('img');
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

test('a saved file deleted outside Kiln says "File missing" and comes back with Re-download', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 200, runMs: 200 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const c = await generate(page, 'a brass compass');
  await expect(c).toHaveAccessibleName(/— succeeded, saved/);
  await imageLoaded(page, 'a brass compass');

  const id = (await c.getAttribute('data-id'))!;
  const view = (await page.evaluate(
    (pid) => (globalThis as unknown as { kiln: { invoke(c: string, r: unknown): Promise<unknown> } }).kiln.invoke('predictions:get', { id: pid }),
    id,
  )) as PredictionView;
  // Output paths are relative to the media vault, `media/` in the data dir.
  const file = path.join(kiln.dataDir, 'media', view.outputs[0]!.path!);
  expect(fs.existsSync(file)).toBe(true);
  fs.rmSync(file);

  await page.reload();
  const gone = card(page, 'a brass compass');
  await expect(gone).toHaveAccessibleName(/— succeeded, file missing/);
  await expect(gone.locator('.badge')).toHaveText('File missing');
  await expect(gone.locator('img')).toHaveCount(0);

  await gone.click();
  const detail = page.getByRole('dialog', { name: /Details: a brass compass/ });
  await expect(detail.getByText('File missing', { exact: true }).first()).toBeVisible();
  await expect(detail.getByRole('button', { name: 'Re-download', exact: true })).toBeVisible();
  await page.keyboard.press('Escape');

  await gone.getByRole('button', { name: 'Re-download', exact: true }).click();
  await expect(gone).toHaveAccessibleName(/— succeeded, saved/);
  await expect(gone.locator('.badge')).toHaveText('Saved');
  await imageLoaded(page, 'a brass compass');
  expect(fs.existsSync(file)).toBe(true);
});

test('desktop-only actions explain themselves calmly in browser mode', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 200, runMs: 200 } } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const c = await generate(page, 'a tin robot');
  await expect(c).toHaveAccessibleName(/— succeeded, saved/);

  await c.getByRole('button', { name: 'More actions' }).click();
  // The menu opens over the page (not inside the card) and closes once an item is chosen.
  await page.getByRole('menu').getByRole('menuitem', { name: 'Copy image' }).click();
  await expect(page.getByRole('menu')).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Copy image is only available in the desktop app' })).toBeVisible();

  await c.locator('img').click();
  const detail = page.getByRole('dialog', { name: /Details: a tin robot/ });
  await detail.getByRole('button', { name: 'Open with default app' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'only available in the desktop app' }).last()).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(detail).toBeVisible();
  expect(errors).toEqual([]);
});

test('a history exported with "Export all" imports into another Kiln', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 200, runMs: 200 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  for (const p of ['a paper lantern', 'a stone bridge']) await expect(await generate(page, p)).toHaveAccessibleName(/— succeeded, saved/);
  await page.getByRole('button', { name: 'Export all' }).click();
  const toast = page.getByRole('status').filter({ hasText: /^Exported 2 to / });
  await expect(toast).toBeVisible();
  const zip = /Exported 2 to (\S+\.zip)/.exec((await toast.textContent())!)![1]!;
  expect(path.isAbsolute(zip)).toBe(true);

  const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-e2e-import-'));
  const other = await launchKiln({ dataDir: otherDir, replicateBaseUrl: sim.baseUrl });
  try {
    await page.goto(other.url);
    await expect(page.getByRole('heading', { name: 'Your gallery is empty' })).toBeVisible();
    await page.getByRole('button', { name: 'Settings' }).click();
    const field = page.getByLabel('Export folder or .zip (absolute path)');

    await field.fill(path.join(otherDir, 'no-such-export.zip'));
    await page.getByRole('button', { name: 'Import history…' }).click();
    await expect(page.getByRole('status').filter({ hasText: /^Import failed/ })).toBeVisible();

    await field.fill(zip);
    await page.getByRole('button', { name: 'Import history…' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Imported 2, skipped 0' })).toBeVisible();
    await page.getByRole('button', { name: 'Import history…' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Imported 0, skipped 2' })).toBeVisible();
    await page.getByRole('button', { name: 'Close' }).click();

    for (const p of ['a paper lantern', 'a stone bridge']) {
      await expect(card(page, p)).toHaveAccessibleName(/— succeeded, saved/);
      await imageLoaded(page, p);
    }
  } finally {
    await other.stop();
    fs.rmSync(otherDir, { recursive: true, force: true });
  }
});

test('links and images in model text never load or navigate the page', async ({ page, context, kiln, sim }) => {
  sim.control.loadScenario({ models: { [LLAMA]: { coldBootMs: 100, runMs: 1_000 } } });
  const remote: string[] = [];
  await context.route(/^https:\/\/tracker\.example\//, (r) => {
    remote.push(r.request().url());
    return r.fulfill({ status: 204 });
  });
  await context.route(/^https:\/\/docs\.example\//, (r) => r.fulfill({ status: 200, contentType: 'text/html', body: '<title>docs</title>' }));
  await openStudio(page, kiln.url);
  await pickModel(page, LLAMA);
  // The simulated model repeats the prompt, so this markdown comes back in its output.
  const prompt = 'see ![pixel](https://tracker.example/p.png) and [the docs](https://docs.example/guide) and [local](http://docs.example/x)';
  const c = await generate(page, prompt);
  await expect(c).toHaveAccessibleName(/— succeeded/, { timeout: 30_000 });
  await c.click();
  const text = page.locator('.stage-text');
  await expect(text.getByRole('link', { name: 'the docs' })).toBeVisible();
  await expect(text.locator('img')).toHaveCount(0);
  await expect(text.getByRole('link', { name: 'pixel' })).toBeVisible();

  const kilnUrl = page.url();
  const popup = context.waitForEvent('page');
  await text.getByRole('link', { name: 'the docs' }).click();
  const opened = await popup;
  await expect.poll(() => opened.url()).toBe('https://docs.example/guide');
  await opened.close();
  expect(page.url()).toBe(kilnUrl);

  // Not https: plain text, nothing to follow.
  await expect(text.getByRole('link', { name: 'local' })).toHaveCount(0);
  await text.getByText('local', { exact: true }).click();
  expect(page.url()).toBe(kilnUrl);
  expect(context.pages()).toHaveLength(1);
  expect(remote).toEqual([]);
});
