import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

// Asynchronous: the simulator answers from this same process, so a blocking child would deadlock it.
const exec = promisify(execFile);
import { test, expect } from './fixtures.ts';
import { openStudio, pickModel, generate, sentInputs, showAdvanced } from './studio.helpers.ts';
import type { Sim } from '../replicate-sim/types.ts';

// Issue 14, Reproduce: the seed of every run, Remix with the same seed, Copy as code (run against
// the simulator: the copied request makes the same create), Reset to defaults, and the composer's
// "Advanced" fold remembered per model.

test.use({ kilnOptions: { apiToken: 'sim' } });

const FLUX = 'black-forest-labs/flux-schnell';
const SDXL = 'stability-ai/sdxl';

/** The seed the simulator says it used for its only run with this prompt (its "Using seed: N" log line). */
async function simSeed(sim: Sim, prompt: string): Promise<number> {
  for (const p of sim.control.predictions()) {
    const r = await fetch(`${sim.baseUrl}/predictions/${p.id}`, { headers: { authorization: `Bearer ${sim.token}` } });
    const body = (await r.json()) as { input: { prompt?: string }; logs?: string };
    if (body.input.prompt === prompt) return Number(/Using seed: (\d+)/.exec(body.logs ?? '')![1]);
  }
  throw new Error(`no simulator run for ${prompt}`);
}

test('a random seed is recorded from the logs, and Remix runs again with it (or a new one when unticked)', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 200 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const c = await generate(page, 'a lighthouse at dusk');
  await expect(c).toHaveAccessibleName(/— succeeded/);
  expect((await sentInputs(sim))[0]!.input.seed).toBeUndefined(); // the model chose it
  const seed = await simSeed(sim, 'a lighthouse at dusk');

  await c.click();
  const detail = page.getByRole('dialog', { name: /^Details:/ });
  await expect(detail.locator('.detail-seed')).toHaveText(`Seed ${seed} (chosen by the model)`);
  await detail.getByRole('button', { name: 'Remix' }).click();
  await expect(detail).toBeHidden();

  const same = page.getByRole('checkbox', { name: `Same seed (${seed})` });
  await expect(same).toBeChecked();
  await page.getByLabel('Prompt', { exact: true }).fill('a lighthouse at dawn');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect.poll(async () => (await sentInputs(sim)).length).toBe(2);
  expect((await sentInputs(sim))[1]!.input).toMatchObject({ prompt: 'a lighthouse at dawn', seed });

  // Unticked: the seed field empties and the model picks a new one.
  await same.uncheck();
  await showAdvanced(page);
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('');
  await page.getByLabel('Prompt', { exact: true }).fill('a lighthouse at noon');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect.poll(async () => (await sentInputs(sim)).length).toBe(3);
  expect((await sentInputs(sim))[2]!.input.seed).toBeUndefined();
});

test('Copy as code gives the request that was sent, and each snippet makes that same create', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 200 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  await showAdvanced(page);
  await page.getByLabel('Seed', { exact: true }).fill('777');
  await page.getByLabel('Num outputs').fill('2');
  const c = await generate(page, 'it\'s a "quoted" $HOME test');
  await expect(c).toHaveAccessibleName(/— succeeded/);
  const [sent] = await sentInputs(sim);

  await c.click();
  const detail = page.getByRole('dialog', { name: /^Details:/ });
  await detail.getByRole('button', { name: 'Copy as code' }).click();
  const dialog = page.getByRole('dialog', { name: 'Copy as code' });
  const code = dialog.locator('pre.code-block');
  const snippets: Record<string, string> = {};
  for (const lang of ['curl', 'JavaScript', 'Python']) {
    await dialog.getByRole('radio', { name: lang }).click();
    await expect(code).toHaveAttribute('aria-label', `${lang} code`);
    snippets[lang] = (await code.textContent())!;
    // The key is never written out: only the variable a user sets.
    expect(snippets[lang]).not.toContain(sim.token);
    expect(snippets[lang]).toContain('REPLICATE_API_TOKEN');
    expect(snippets[lang]).toContain('https://api.replicate.com/v1/models/black-forest-labs/flux-schnell/predictions');
  }
  await page.screenshot({ path: test.info().outputPath('copy-as-code.png') });

  // Run each snippet, aimed at the simulator instead of api.replicate.com: each makes one more
  // create of the same model with the same input as Kiln's.
  const env = { ...process.env, REPLICATE_API_TOKEN: sim.token };
  const aim = (s: string) => s.replaceAll('https://api.replicate.com/v1', sim.baseUrl);
  const run = {
    curl: () => exec('bash', ['-c', aim(snippets.curl!)], { env }),
    JavaScript: () => exec(process.execPath, ['--input-type=module', '-e', aim(snippets.JavaScript!)], { env }),
    Python: () => exec('python3', ['-c', aim(snippets.Python!)], { env }),
  };
  for (const [lang, go] of Object.entries(run)) {
    const before = sim.control.counters().byEndpoint['models.predictions.create'] ?? 0;
    const out = JSON.parse((await go()).stdout) as { id: string; input: unknown };
    expect(out.input, lang).toEqual(sent!.input);
    expect(sim.control.counters().byEndpoint['models.predictions.create'], lang).toBe(before + 1);
  }
  // Kiln's create and the three snippets' are the same request: four creates of one input.
  expect(Object.values(sim.control.counters().createsByInputHash)).toEqual([4]);
});

test('Reset to defaults puts the settings back and keeps the prompt', async ({ page, kiln }) => {
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  await page.getByLabel('Prompt', { exact: true }).fill('keep this prompt');
  await showAdvanced(page);
  await page.getByLabel('Num outputs').fill('3');
  await page.getByLabel('Seed', { exact: true }).fill('99');
  await page.getByRole('button', { name: 'Reset to defaults' }).click();
  await expect(page.getByLabel('Num outputs')).toHaveValue('1');
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('');
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('keep this prompt');
  // Remembered as reset: a reload shows the defaults too.
  await page.waitForTimeout(800); // the form is saved 600 ms after the last change
  await page.reload();
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('keep this prompt');
  await showAdvanced(page);
  await expect(page.getByLabel('Num outputs')).toHaveValue('1');
});

test('optional settings fold under Advanced, open or closed per model as last left', async ({ page, kiln }) => {
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const toggle = page.getByRole('button', { name: /^Advanced/ });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByLabel('Prompt', { exact: true })).toBeVisible();
  await expect(page.getByLabel('Seed', { exact: true })).toBeHidden();
  await toggle.click();
  await expect(page.getByLabel('Seed', { exact: true })).toBeVisible();

  await pickModel(page, SDXL); // another model: its own state, closed
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByLabel('Prompt', { exact: true })).toBeVisible();
  await pickModel(page, FLUX);
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await page.reload();
  await expect(page.getByRole('button', { name: `Model: ${FLUX}. Change model` })).toBeVisible();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByLabel('Seed', { exact: true })).toBeVisible();
});
