import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditThemes } from './screens.helpers.ts';
import { test, expect, launchKiln, type KilnWeb } from './fixtures.ts';
import { openStudio, sentInputs } from './studio.helpers.ts';
import { startFalSimulator, type FalSim } from '../fal-sim/index.ts';
import { appOf } from '../fal-sim/catalogue.ts';

// Compare (issue 14), driven like a person in browser mode against both simulators at once: one
// prompt fanned out to two Replicate models and two fal endpoints, the canonical input mapped onto
// each schema (fields without an equivalent marked), the whole estimate first, the results side by
// side with a slider and one zoom for all, the failing fal model (its runner crashes) stopping
// nothing, then the whole compare re-run and remixed. Kiln's web server gets the fal simulator
// through the environment (FAL_KEY, KILN_FAL_*_URL) in this spec's own set-up.

const SCHNELL = 'black-forest-labs/flux-schnell';
const DEV = 'black-forest-labs/flux-dev';
const FAL_FLUX = 'fal:fal-ai/flux/schnell';
const FAL_FAILS = 'fal:kiln-test/always-fails';
const PROMPT = 'a paper boat on a rain puddle, macro';

test.use({
  viewport: { width: 1360, height: 900 },
  simOptions: { scenario: { models: { [SCHNELL]: { coldBootMs: 0, runMs: 600 }, [DEV]: { coldBootMs: 0, runMs: 900 } } } },
});

let fal: FalSim;
let kiln: KilnWeb;
let dataDir: string;

test.beforeEach(async ({ sim }) => {
  fal = await startFalSimulator({
    scenario: { endpoints: { 'fal-ai/flux/schnell': { startupMs: 0, runMs: 700 }, 'kiln-test/always-fails': { startupMs: 0, runMs: 500 } } },
  });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-e2e-compare-'));
  kiln = await launchKiln({
    dataDir,
    replicateBaseUrl: sim.baseUrl,
    apiToken: sim.token,
    extraEnv: { FAL_KEY: fal.key, KILN_FAL_QUEUE_URL: fal.queueUrl, KILN_FAL_API_URL: fal.apiUrl, KILN_FAL_STORAGE_URL: fal.storageUrl },
  });
});

// Playwright reads the fixtures a hook needs from its first parameter: this one needs none.
// eslint-disable-next-line no-empty-pattern
test.afterEach(async ({}, testInfo) => {
  await kiln.stop();
  if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('kiln-logs', { body: kiln.logs.join('\n'), contentType: 'text/plain' });
  await fal.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** What fal ran for a job, read back from its result (flux answers with the prompt and seed it used). */
async function falResult(requestId: string, endpoint: string): Promise<{ prompt?: string; seed?: number; images?: { width: number; height: number }[] }> {
  const res = await fetch(`${fal.queueUrl}/${appOf(endpoint)}/requests/${requestId}`, { headers: { authorization: `Key ${fal.key}` } });
  return (await res.json()) as never;
}

test('compare across Replicate and fal: mapped inputs, one failing model stops nothing, slider and synced zoom, re-run and remix', async ({ page, sim }) => {
  // A long flow with axe audits in both themes, on a machine shared by several test runs.
  test.setTimeout(300_000);
  await openStudio(page, kiln.url);
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Compare models' });
  await expect(dialog).toBeVisible();
  for (const ref of [SCHNELL, DEV, FAL_FLUX, FAL_FAILS]) {
    await dialog.getByLabel('Add a model').fill(ref);
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  }
  // Before the prompt is written the footer asks for it once; no row calls its empty prompt an error.
  await expect(dialog.getByText('Write a prompt.')).toBeVisible();
  await expect(dialog.getByText(/^prompt → /)).toHaveCount(4); // every model's inputs loaded and mapped
  await expect(dialog.getByText(/^Cannot run: /)).toHaveCount(0);
  await dialog.getByLabel('Prompt', { exact: true }).fill(PROMPT);
  await dialog.getByLabel('Negative prompt').fill('blurry');
  await dialog.getByLabel('Seed').fill('7');
  await dialog.getByLabel('Aspect ratio').selectOption('16:9');
  // An image for the models that take one (staged in the vault like the composer's file fields).
  await dialog.getByLabel('Image', { exact: true }).setInputFiles(path.join(process.cwd(), 'docs', 'gallery-light.png'));
  await expect(dialog.getByRole('img', { name: 'Preview of gallery-light.png' })).toBeVisible();

  // Each model's row says where each field goes; what it has no equivalent for is marked.
  const row = (ref: string) => dialog.getByRole('listitem').filter({ has: page.getByText(ref, { exact: true }) });
  await expect(row(SCHNELL).locator('.unmatched')).toHaveText(['✕ negative prompt: no equivalent, not sent', '✕ image: no equivalent, not sent']);
  await expect(row(DEV).locator('.mapped')).toHaveText(['prompt → prompt', 'seed → seed', 'image → image', 'aspect ratio → aspect_ratio']);
  await expect(row(SCHNELL).locator('.mapped')).toHaveText(['prompt → prompt', 'seed → seed', 'aspect ratio → aspect_ratio']);
  await expect(row(FAL_FLUX).locator('.mapped')).toHaveText(['prompt → prompt', 'seed → seed', 'aspect ratio → image_size (landscape_16_9)']);
  await expect(row(FAL_FLUX).locator('.unmatched')).toHaveText(['✕ negative prompt: no equivalent, not sent', '✕ image: no equivalent, not sent']);
  // The whole fan-out's estimate before anything runs: $0.003 + $0.025 (Replicate's table) + fal's
  // prices ($0.003 + $0.001) where the backend has them, else said to be unpriced (never $0).
  await expect(dialog.getByTestId('compare-total')).toHaveText(/^4 runs · ≈ \$0\.0(28 \+ 2 unpriced|32)$/);
  await auditThemes(page, 'compare-dialog');
  await dialog.getByRole('button', { name: 'Run compare' }).click();

  // The results together; the failing model ends failed with its reason, the others succeed.
  const view = page.getByRole('dialog', { name: /^Compare — a paper boat/ });
  await expect(view).toBeVisible();
  await expect(view.getByTestId('compare-summary')).toHaveText('4 of 4 done · 1 failed', { timeout: 45_000 });
  const failing = view.getByRole('listitem', { name: /^kiln-test\/always-fails — / });
  await expect(failing).toContainText(/CUDA error/);
  await expect(view.getByRole('listitem', { name: new RegExp(`^${DEV} — `) })).toHaveAccessibleName(/— Saved$/);
  await expect(view.getByRole('listitem', { name: /^fal-ai\/flux\/schnell — / })).not.toHaveAccessibleName(/Failed/);

  // What each provider received is each model's own input.
  const sent = await sentInputs(sim);
  expect(sent.find((s) => s.model === SCHNELL)?.input).toMatchObject({ prompt: PROMPT, seed: 7, aspect_ratio: '16:9' });
  expect(sent.find((s) => s.model === SCHNELL)?.input).not.toHaveProperty('negative_prompt');
  expect(sent.find((s) => s.model === DEV)?.input).toMatchObject({ prompt: PROMPT, seed: 7, aspect_ratio: '16:9', image: expect.stringMatching(/^http/) });
  expect(sent.find((s) => s.model === SCHNELL)?.input).not.toHaveProperty('image');
  const job = fal.control.jobs().find((j) => j.endpoint_id === 'fal-ai/flux/schnell')!;
  const out = await falResult(job.request_id, job.endpoint_id);
  expect(out).toMatchObject({ prompt: PROMPT, seed: 7 });
  // landscape_16_9 reached fal: a 16:9 image (the simulator caps the long side at 512 px).
  expect(out.images?.[0]).toMatchObject({ width: 512, height: 288 });
  await auditThemes(page, 'compare-view');

  // One zoom for every pane.
  await view.getByRole('slider', { name: /Zoom/ }).fill('2');
  const imgs = view.locator('.compare-pane-media img');
  // The two Replicate images at least (fal's files are saved too once the vault trusts its CDN).
  expect(await imgs.count()).toBeGreaterThanOrEqual(2);
  for (const img of await imgs.all()) await expect(img).toHaveCSS('transform', 'matrix(2, 0, 0, 2, 0, 0)');
  // The slider over two images.
  await view.getByRole('button', { name: 'Slider' }).click();
  const slider = view.getByRole('slider', { name: /^Slider between / });
  await expect(slider).toBeVisible();
  await slider.fill('30');
  await expect(view.locator('.compare-slider img').nth(1)).toHaveCSS('clip-path', 'inset(0px 0px 0px 30%)');
  await view.getByRole('slider', { name: /Zoom/ }).fill('1');
  await auditThemes(page, 'compare-slider');
  await view.getByRole('button', { name: 'Side by side' }).click();

  // The failed model retries alone: one more fal job, nothing re-sent to the others.
  const jobsBefore = fal.control.jobs().length;
  await failing.getByRole('button', { name: 'Retry kiln-test/always-fails' }).click();
  await expect.poll(() => fal.control.jobs().length).toBe(jobsBefore + 1);
  expect(sim.control.predictions()).toHaveLength(2);

  // Re-run the whole compare: the same four inputs again, as a new compare.
  await expect(view.getByTestId('compare-summary')).toHaveText('4 of 4 done · 1 failed', { timeout: 30_000 });
  await view.getByRole('button', { name: 'Re-run' }).click();
  await expect.poll(() => sim.control.predictions().length, { timeout: 20_000 }).toBe(4);
  await expect(view.getByTestId('compare-summary')).toHaveText('4 of 4 done · 1 failed', { timeout: 45_000 });
  const again = await sentInputs(sim);
  expect(again.filter((s) => s.model === SCHNELL).map((s) => s.input)).toEqual([
    sent.find((s) => s.model === SCHNELL)!.input,
    sent.find((s) => s.model === SCHNELL)!.input,
  ]);

  // Remix: the dialog opens on the same models and input, to change before running.
  await view.getByRole('button', { name: 'Remix' }).click();
  const remix = page.getByRole('dialog', { name: 'Compare models' });
  await expect(remix.getByLabel('Prompt', { exact: true })).toHaveValue(PROMPT);
  await expect(remix.getByLabel('Seed')).toHaveValue('7');
  await expect(remix.getByLabel('Aspect ratio')).toHaveValue('16:9');
  await expect(remix.getByRole('listitem').filter({ has: page.getByText(FAL_FAILS, { exact: true }) })).toHaveCount(1);
  await remix.getByRole('button', { name: `Remove ${FAL_FAILS}` }).click();
  await remix.getByLabel('Prompt', { exact: true }).fill('a paper boat at dawn');
  await remix.getByRole('button', { name: 'Run compare' }).click();
  const third = page.getByRole('dialog', { name: /^Compare — a paper boat at dawn/ });
  await expect(third.getByTestId('compare-summary')).toHaveText('3 of 3 done', { timeout: 45_000 });
  await page.keyboard.press('Escape');

  // In the gallery, each compare is one stack.
  await expect(page.getByRole('article', { name: /^Compare · 4 models — / })).toHaveCount(2);
  await expect(page.getByRole('article', { name: /^Compare · 3 models — a paper boat at dawn — 3 of 3 done$/ })).toHaveCount(1);
});

// The compare dialog picks models with the composer's own list and search; the models run and the
// panes show in the order they were added, whatever order the runs were made in.
test('compare picks models with the composer’s picker, and the panes keep the order they were added in', async ({ page }) => {
  test.setTimeout(180_000);
  await openStudio(page, kiln.url);
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Compare models' });
  for (const b of await dialog.getByRole('button', { name: /^Remove / }).all()) await b.click();
  const pickFromList = async (ref: string) => {
    await dialog.getByRole('button', { name: 'Choose a model…' }).click();
    const menu = page.getByRole('dialog', { name: 'Choose a model' });
    await menu.getByRole('combobox', { name: 'Search models' }).fill(ref.split('/')[1]!);
    await menu.getByRole('option', { name: `${ref} — Replicate` }).click();
    await expect(menu).toBeHidden();
  };
  await pickFromList(DEV);
  await dialog.getByLabel('Add a model').fill(FAL_FLUX);
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  await pickFromList(SCHNELL);
  await expect(dialog.locator('.compare-model-head strong')).toHaveText([DEV, FAL_FLUX, SCHNELL]);
  await dialog.getByLabel('Prompt', { exact: true }).fill('three paper cranes');
  await dialog.getByRole('button', { name: 'Run compare' }).click();

  const view = page.getByRole('dialog', { name: /^Compare — three paper cranes/ });
  await expect(view.getByTestId('compare-summary')).toHaveText('3 of 3 done', { timeout: 45_000 });
  const panes = view.getByRole('list', { name: 'Results by model' }).getByRole('listitem');
  const names = () => panes.evaluateAll((els) => els.map((e) => (e.getAttribute('aria-label') ?? '').split(' — ')[0]));
  expect(await names()).toEqual([DEV, 'fal-ai/flux/schnell', SCHNELL]);

  // The members were made in the same click (the same millisecond, as a rule). Deleted in the
  // reverse order and brought back with Undo, they are re-inserted in that order: the panes keep
  // the order the models were added in all the same (each member keeps its index in the group).
  await page.keyboard.press('Escape');
  const stack = page.getByRole('article', { name: /^Compare · 3 models — three paper cranes — / });
  await stack.getByRole('button', { name: 'Show runs' }).click();
  const member = (model: string) => page.getByRole('article', { name: /^three paper cranes — / }).filter({ hasText: model });
  for (const m of [SCHNELL, 'fal-ai/flux/schnell', DEV]) await member(m).getByRole('checkbox', { name: 'Select' }).check();
  await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Delete selected' }).click();
  await expect(stack).toHaveCount(0);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(stack).toHaveCount(1);
  await stack.getByRole('button', { name: 'Side by side' }).click();
  await expect(view.getByTestId('compare-summary')).toHaveText('3 of 3 done');
  await expect.poll(names).toEqual([DEV, 'fal-ai/flux/schnell', SCHNELL]);
  // Reloaded from the history, the same.
  await page.reload();
  await page
    .getByRole('article', { name: /^Compare · 3 models — three paper cranes — / })
    .getByRole('button', { name: 'Side by side' })
    .click();
  await expect(view.getByTestId('compare-summary')).toHaveText('3 of 3 done');
  expect(await names()).toEqual([DEV, 'fal-ai/flux/schnell', SCHNELL]);
});
