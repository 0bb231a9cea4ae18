import { test, expect } from './fixtures.ts';
import { openStudio, pickModel, generate, sentInputs } from './studio.helpers.ts';

// Issue 14, Chain: "Use as input" sends an output to a model that takes that kind of file (the
// upscaler here), with the file in its field, and the run sends it.

test.use({ kilnOptions: { apiToken: 'sim' } });

const FLUX = 'black-forest-labs/flux-schnell';
const ESRGAN = 'nightmareai/real-esrgan';

test('an output goes into an upscaler’s image field by “Use as input”', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 200 }, [ESRGAN]: { coldBootMs: 100, runMs: 200 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const c = await generate(page, 'a small red robot');
  await expect(c).toHaveAccessibleName(/— succeeded, saved/);

  await c.getByRole('button', { name: 'More actions' }).click();
  await page.getByRole('menuitem', { name: 'Use as input…' }).click();
  const picker = page.getByRole('dialog', { name: 'Use this image as input' });
  // Offered: models that take an image (the upscaler), not a text-only one (flux-schnell itself).
  await expect(picker.getByRole('button', { name: new RegExp(`^${ESRGAN} → Image`) })).toBeVisible();
  await expect(picker.getByRole('button', { name: new RegExp(`^${FLUX} `) })).toHaveCount(0);
  await picker.getByRole('button', { name: new RegExp(`^${ESRGAN} → Image`) }).click();
  await expect(picker).toBeHidden();
  await expect(page.getByRole('button', { name: `Model: ${ESRGAN}. Change model` })).toBeVisible();
  await expect(page.locator('[data-field="image"]')).toContainText(/out-0/);

  await page.getByRole('button', { name: 'Generate' }).click();
  await expect.poll(async () => (await sentInputs(sim)).length).toBe(2);
  const sent = (await sentInputs(sim))[1]!;
  expect(sent.model).toBe(ESRGAN);
  // The file went out (as an upload or a data: URI), not a local reference.
  expect(String(sent.input.image)).toMatch(/^(data:image\/|https?:)/);
});
