import { test, expect } from './fixtures.ts';
import { openStudio, pickModel, generate, card, showAdvanced, deleteFromCard, openRetries } from './studio.helpers.ts';
import { auditThemes } from './screens.helpers.ts';

// The studio driven like a person would, in browser mode against the simulator (issue 6).
// Simulated time is frozen and moved by hand where the test watches a state, so nothing depends
// on how fast this machine is.

test.use({ kilnOptions: { apiToken: 'sim' } });

const FLUX = 'black-forest-labs/flux-schnell';

test('generate an image: the card walks starting → processing → succeeded → saved, image shown', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 20_000, runMs: 20_000 } } });
  sim.control.freeze();
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const c = await generate(page, 'a red fox in snow');
  await expect(c).toHaveAccessibleName(/a red fox in snow — starting/);
  await expect(c.locator('.badge')).toHaveText(/Starting|Cold boot/);

  sim.control.advance(21_000);
  await expect(c).toHaveAccessibleName(/— processing/);
  sim.control.advance(10_000);
  const bar = c.getByRole('progressbar', { name: 'Progress' });
  await expect(bar).toBeVisible();
  const first = Number(await bar.getAttribute('aria-valuenow'));
  sim.control.advance(5_000);
  // Still processing (the clock is frozen short of the end), so the bar must still be there:
  // a vanished bar fails this instead of reading as 100 %.
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow', { timeout: 1_000 }))).toBeGreaterThan(first);
  await expect(c).toHaveAccessibleName(/— processing/);

  sim.control.advance(10_000);
  await expect(c).toHaveAccessibleName(/— succeeded, saved/);
  const img = c.locator('img');
  await expect(img).toBeVisible();
  await expect
    .poll(() =>
      img.evaluate((el) => {
        const i = el as unknown as { complete: boolean; naturalWidth: number };
        return i.complete ? i.naturalWidth : 0;
      }),
    )
    .toBeGreaterThan(0);
  // The form stays filled for the next iteration.
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('a red fox in snow');
});

test('a cold start of minutes shows the elapsed counter and never an error', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 6 * 60_000, runMs: 2_000 } } });
  sim.control.freeze();
  await page.clock.install();
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const c = await generate(page, 'a slow kiln at dawn');
  await expect(c).toHaveAccessibleName(/— starting/);
  sim.control.advance(3 * 60_000);
  // The page's own clock moves the counter (the backend keeps polling in real time meanwhile).
  // The page and backend clocks differ by however long the steps above took, so the test asserts
  // what a person sees: minutes of cold boot, then a counter that keeps counting.
  const badge = c.locator('.badge');
  const elapsed = async () => {
    const m = /^Cold boot — starting (\d+):(\d\d)$/.exec((await badge.textContent()) ?? '');
    return m ? Number(m[1]) * 60 + Number(m[2]) : -1;
  };
  await page.clock.fastForward(134_000);
  await expect.poll(elapsed).toBeGreaterThanOrEqual(134);
  const first = await elapsed();
  await page.clock.fastForward(30_000);
  await expect.poll(elapsed).toBeGreaterThanOrEqual(first + 30);
  await expect(c.locator('.pending-title')).toHaveText(/^Cold boot — \d+:\d\d$/);
  await expect(c.locator('.pending-detail')).toHaveText('The model is warming up');
  await expect(c.locator('.card-error')).toHaveCount(0);
  sim.control.advance(3 * 60_000 + 5_000);
  await expect(c).toHaveAccessibleName(/— succeeded/);
});

test('a failed prediction retried with one click succeeds, both variants kept', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 500, runMs: 500, outcome: 'failed', error: 'E6716: CUDA out of memory' } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const c = await generate(page, 'a glass teapot');
  await expect(c).toHaveAccessibleName(/a glass teapot — failed/);
  await expect(c.locator('.card-error')).toContainText('out of memory');

  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 500, runMs: 500 } } });
  await c.getByRole('button', { name: 'Retry' }).click();
  await openRetries(page, 'a glass teapot', 2);
  const all = card(page, 'a glass teapot');
  await expect(all).toHaveCount(2);
  await expect(page.getByRole('article', { name: /a glass teapot — succeeded/ })).toHaveCount(1);
  await expect(page.getByRole('article', { name: /a glass teapot — failed/ })).toHaveCount(1);
  await expect(page.getByRole('article', { name: /a glass teapot — succeeded/ }).locator('.variants')).toHaveText('2 variants');
});

test('cancel stops a running prediction at the provider', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 10 * 60_000 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const c = await generate(page, 'a very patient owl');
  await expect(c).toHaveAccessibleName(/— starting/);
  await c.getByRole('button', { name: 'Cancel' }).click();
  await expect(c).toHaveAccessibleName(/— canceled/);
  await expect.poll(() => sim.control.predictions().map((p) => p.status)).toContain('canceled');
  await expect(c.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
});

test('a fast model, once known, is held: its card says the result is on its way, then shows it', async ({ page, kiln, sim }) => {
  // engine/hold.ts: after three runs the model's run time is known (3 s here), so the fourth
  // create is held open (Prefer: wait=7) and its answer is the finished run.
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 3000 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const sketches = [];
  for (const n of [1, 2, 3]) sketches.push(await generate(page, `a quick sketch ${n}`));
  for (const sketch of sketches) await expect(sketch).toHaveAccessibleName(/— succeeded, saved/, { timeout: 15_000 });
  // This time it takes a minute; the simulator holds the request (frozen clock) until time moves.
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 0, runMs: 60_000 } }, preferWaitCapMs: 30_000 });
  sim.control.freeze();
  const c = await generate(page, 'a held breath');
  await expect(c).toHaveAccessibleName(/— submitting/);
  await expect(c.locator('.card-note')).toHaveText('Sent — Replicate answers with the result when it is done');
  await expect(page.getByRole('button', { name: 'Generate' })).toBeEnabled(); // the composer is not held with it
  await auditThemes(page, 'card-held');
  sim.control.advance(61_000);
  await expect(c).toHaveAccessibleName(/— succeeded, saved/);
  await expect(c.locator('.card-note')).toHaveCount(0);
});

test('remix fills the composer from a card', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 200, runMs: 200 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  await showAdvanced(page);
  await page.getByLabel('Seed', { exact: true }).fill('4242');
  const c = await generate(page, 'a paper boat on a pond');
  await expect(c).toHaveAccessibleName(/— succeeded/);
  await page.getByLabel('Prompt', { exact: true }).fill('something else');
  await page.getByLabel('Seed', { exact: true }).fill('');
  await c.getByRole('button', { name: 'Remix' }).click();
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('a paper boat on a pond');
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('4242');
});

test('search and filters narrow the gallery', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 200, runMs: 200 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  await expect(await generate(page, 'a copper kettle')).toHaveAccessibleName(/— succeeded/);
  await expect(await generate(page, 'a lighthouse in fog [fail]')).toHaveAccessibleName(/— failed/);
  await expect(await generate(page, 'a copper lantern')).toHaveAccessibleName(/— succeeded/);
  await expect(page.getByRole('article')).toHaveCount(3);

  await page.getByRole('searchbox', { name: 'Search prompts' }).fill('copper');
  await expect(page.getByRole('article')).toHaveCount(2);
  await page.getByRole('searchbox', { name: 'Search prompts' }).fill('kettle');
  await expect(page.getByRole('article')).toHaveCount(1);
  await page.getByRole('searchbox', { name: 'Search prompts' }).fill('');
  await expect(page.getByRole('article')).toHaveCount(3);

  await page.getByRole('button', { name: /^Failed/ }).click();
  await expect(page.getByRole('article')).toHaveCount(1);
  await expect(page.getByRole('article')).toHaveAccessibleName(/lighthouse/);
  await expect(page.getByRole('button', { name: /^Failed/ })).toContainText('1');
  await page.getByRole('button', { name: /^All/ }).click();
  await expect(page.getByRole('article')).toHaveCount(3);

  // Favourites filter.
  await card(page, 'a copper kettle').getByRole('button', { name: 'Favourite' }).click();
  await page.getByRole('button', { name: /Favourites/ }).click();
  await expect(page.getByRole('article')).toHaveCount(1);
  await expect(page.getByRole('article')).toHaveAccessibleName(/copper kettle/);
});

test('delete with undo', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 200, runMs: 200 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const c = await generate(page, 'an origami crane');
  await expect(c).toHaveAccessibleName(/— succeeded, saved/);
  await deleteFromCard(page, c);
  await expect(c).toHaveCount(0);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(card(page, 'an origami crane')).toHaveCount(1);
});

test('restart with the simulator stopped: saved images still browse offline', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 200, runMs: 200 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  for (const p of ['a blue door', 'a green door']) await expect(await generate(page, p)).toHaveAccessibleName(/— succeeded, saved/);
  await sim.close();
  await kiln.restart();
  await page.reload();
  for (const p of ['a blue door', 'a green door']) {
    const img = card(page, p).locator('img');
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
  // The detail view shows the full image from the vault, offline.
  await card(page, 'a blue door').click();
  const big = page.getByRole('dialog', { name: /Details: a blue door/ }).locator('.zoom img');
  await expect
    .poll(() =>
      big.evaluate((el) => {
        const i = el as unknown as { complete: boolean; naturalWidth: number };
        return i.complete ? i.naturalWidth : 0;
      }),
    )
    .toBeGreaterThan(0);
  // Newest first: the green door (made later) is to the left.
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('dialog', { name: /Details: a green door/ })).toBeVisible();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('dialog', { name: /Details: a blue door/ })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
});

test('offline: a clear banner, the submission waits queued and goes out when Replicate is back', async ({ page, kiln, sim }) => {
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  // Every connection to Replicate now drops.
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 200, runMs: 200 } }, faults: [{ endpoint: '*', kind: 'reset', count: 1_000_000 }] });
  await page.getByLabel('Prompt', { exact: true }).fill('sent while offline');
  await page.getByRole('button', { name: 'Generate' }).click();
  const c = card(page, 'sent while offline');
  await expect(page.getByRole('status').filter({ hasText: /Offline/ })).toBeVisible({ timeout: 40_000 });
  await expect(c).toHaveAccessibleName(/— (queued|submitting)/);
  // Where the image will go, the card says what it is waiting for (the engine may be mid-attempt).
  await expect(c.locator('.pending-title')).toHaveText(/^(Waiting for the network|Sending…)$/);
  await expect(c.locator('.card-error')).toHaveCount(0);
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 200, runMs: 200 } } });
  await expect(c).toHaveAccessibleName(/— succeeded, saved/, { timeout: 60_000 });
  await expect(page.getByRole('status').filter({ hasText: /Offline/ })).toHaveCount(0);
});

test('streamed text grows on the card while the model is still running', async ({ page, kiln, sim }) => {
  const LLAMA = 'meta/meta-llama-3-8b-instruct';
  // Simulated time is frozen: tokens come only when the test moves the clock, so the model is
  // provably still running while the text grows, however slow this machine is.
  sim.control.loadScenario({ models: { [LLAMA]: { coldBootMs: 300, runMs: 60_000 } } });
  sim.control.freeze();
  await openStudio(page, kiln.url);
  await pickModel(page, LLAMA);
  const c = await generate(page, 'Tell me about kilns');
  await expect(c).toHaveAccessibleName(/— starting/);
  sim.control.advance(300 + 5_000);
  await expect(c).toHaveAccessibleName(/— processing/);
  const text = c.locator('.card-text');
  await expect(text).not.toBeEmpty();
  const early = (await text.textContent())!.length;
  sim.control.advance(15_000);
  await expect.poll(async () => (await text.textContent())!.length).toBeGreaterThan(early);
  await expect(c).toHaveAccessibleName(/— processing/);
  sim.control.advance(60_000);
  await expect(c).toHaveAccessibleName(/— succeeded/);
});

test('the open page reconnects by itself after the app restarts and catches up', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 200, runMs: 200 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  await expect(await generate(page, 'before the restart')).toHaveAccessibleName(/— succeeded, saved/);
  await kiln.restart();
  // No reload: the transport reconnects, the gallery reloads, new work flows again.
  await expect(page.getByText('Reconnecting to Kiln…')).toHaveCount(0, { timeout: 30_000 });
  await expect(card(page, 'before the restart')).toHaveCount(1);
  await expect(await generate(page, 'after the restart')).toHaveAccessibleName(/— succeeded, saved/, { timeout: 30_000 });
});
