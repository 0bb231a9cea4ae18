import { test, expect } from './fixtures.ts';
import { openStudio, pickModel, generate, sentInputs, card, deleteFromCard } from './studio.helpers.ts';
import { auditThemes } from './screens.helpers.ts';

// Issue 14, Chain: "Use as input" sends an output to a model that takes that kind of file (the
// upscaler here), with the file in its field, and the run sends it.

test.use({ kilnOptions: { apiToken: 'sim' } });

const FLUX = 'black-forest-labs/flux-schnell';
const ESRGAN = 'nightmareai/real-esrgan';

// A real 1×1 PNG: the file field checks the bytes, not only the name.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

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

// The run made from a chained input links back to its source; replacing the file by hand drops it.
test('the chained run’s detail links back to its source, and a file replaced by hand drops the link', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 200 }, [ESRGAN]: { coldBootMs: 100, runMs: 200 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const c = await generate(page, 'a small red robot');
  await expect(c).toHaveAccessibleName(/— succeeded, saved/);
  await c.getByRole('button', { name: 'More actions' }).click();
  await page.getByRole('menuitem', { name: 'Use as input…' }).click();
  await page
    .getByRole('dialog', { name: 'Use this image as input' })
    .getByRole('button', { name: new RegExp(`^${ESRGAN} → Image`) })
    .click();
  await expect(page.locator('[data-field="image"]')).toContainText(/out-0/);
  await page.getByRole('button', { name: 'Generate' }).click();

  const up = page.getByRole('article', { name: new RegExp(`^${ESRGAN} — succeeded`) });
  await expect(up).toHaveCount(1);
  // The card itself says where its input came from: a link, reached and opened by keyboard.
  const cardLink = up.getByRole('button', { name: 'From flux-schnell: open the source run (black-forest-labs/flux-schnell — “a small red robot”)' });
  await expect(cardLink).toHaveText('From flux-schnell');
  await up.focus();
  for (let i = 0; i < 6 && !(await cardLink.evaluate((el) => el.matches(':focus'))); i++) await page.keyboard.press('Tab');
  await expect(cardLink).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: /^Details: a small red robot/ })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: /^Details:/ })).toHaveCount(0);
  await up.click();
  const detail = page.getByRole('dialog', { name: new RegExp(`^Details: ${ESRGAN}`) });
  const link = detail.getByRole('button', { name: /^From black-forest-labs\/flux-schnell — “a small red robot”: open the source run$/ });
  await expect(link).toBeVisible();
  await link.click();
  await expect(page.getByRole('dialog', { name: /^Details: a small red robot/ })).toBeVisible();
  await page.keyboard.press('Escape');

  // By hand: the chained image is removed and another file chosen; the next run has no link.
  await page
    .locator('[data-field="image"]')
    .getByRole('button', { name: /^Remove / })
    .click();
  await page.locator('[data-field="image"]').locator('input[type=file]').setInputFiles({ name: 'mine.png', mimeType: 'image/png', buffer: PNG });
  await expect(page.locator('[data-field="image"]')).toContainText('mine.png');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('article', { name: new RegExp(`^${ESRGAN} — succeeded`) })).toHaveCount(2);
  const mine = page.getByRole('article', { name: new RegExp(`^${ESRGAN} — succeeded`) }).first();
  await mine.click();
  const d2 = page.getByRole('dialog', { name: new RegExp(`^Details: ${ESRGAN}`) });
  await expect(d2.getByText(ESRGAN, { exact: false }).first()).toBeVisible();
  await expect(d2.locator('.chain-source')).toHaveCount(0);
  await page.keyboard.press('Escape');

  // The source deleted: the chained card says so at once, with no link to follow.
  const chained = page.getByRole('article', { name: new RegExp(`^${ESRGAN} — succeeded`) }).last();
  await deleteFromCard(page, card(page, 'a small red robot'));
  await expect(card(page, 'a small red robot')).toHaveCount(0);
  await expect(chained.locator('.card-source')).toHaveText('↳ From a deleted run');
  await expect(chained.getByRole('button', { name: /^From / })).toHaveCount(0);
  await auditThemes(page, 'chain-card-source-deleted');
  // …and so does it after a reload, read from the history.
  await page.reload();
  await expect(
    page
      .getByRole('article', { name: new RegExp(`^${ESRGAN} — succeeded`) })
      .last()
      .locator('.card-source'),
  ).toHaveText('↳ From a deleted run');
});

// Chain by drag: an output dragged from its card onto the upscaler's image field fills it like the
// button does and records the source; a video field refuses an image with a clear message.
test('an output dragged from its card onto a file field fills it and links back', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 200 }, [ESRGAN]: { coldBootMs: 100, runMs: 200 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const c = await generate(page, 'a small red robot');
  await expect(c).toHaveAccessibleName(/— succeeded, saved/);
  await pickModel(page, ESRGAN);
  const field = page.locator('[data-field="image"]').getByTestId('dropzone');
  await c.locator('.card-media').dragTo(field);
  await expect(page.locator('[data-field="image"]')).toContainText(/out-0/);
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect.poll(async () => (await sentInputs(sim)).length).toBe(2);
  expect(String((await sentInputs(sim))[1]!.input.image)).toMatch(/^(data:image\/|https?:)/);
  const up = page.getByRole('article', { name: new RegExp(`^${ESRGAN} — succeeded`) });
  await up.click();
  await expect(
    page.getByRole('dialog', { name: new RegExp(`^Details: ${ESRGAN}`) }).getByRole('button', { name: /^From black-forest-labs\/flux-schnell/ }),
  ).toBeVisible();
});

// Chain by drag from the detail view: the output dragged out of the full-screen detail; the detail
// steps aside, the composer's file field takes the drop, and the detail closes. Zoomed, a drag pans
// the picture instead (the picture is not a drag source then).
test('an output dragged from the detail view onto a file field fills it; zoomed, the picture pans', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 200 }, [ESRGAN]: { coldBootMs: 100, runMs: 200 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const c = await generate(page, 'a small red robot');
  await expect(c).toHaveAccessibleName(/— succeeded, saved/);
  await pickModel(page, ESRGAN);
  const field = page.locator('[data-field="image"]').getByTestId('dropzone');
  const target = (await field.boundingBox())!;

  await c.click();
  const detail = page.getByRole('dialog', { name: /^Details: a small red robot/ });
  const img = detail.locator('.zoom img');
  await expect(img).toHaveAttribute('draggable', 'true');
  await expect(detail.locator('.stage-drag')).toHaveText('⠿ Drag to a field');
  await auditThemes(page, 'chain-detail-drag');
  // Zoomed: not a drag source; a drag moves the picture.
  await img.dblclick();
  await expect(img).toHaveAttribute('draggable', 'false');
  const box = (await img.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2 + 30, { steps: 4 });
  await page.mouse.up();
  await expect(img).toHaveCSS('transform', /matrix\(2\.5, 0, 0, 2\.5, 40, 30\)/);
  await expect(page.locator('[data-field="image"]')).not.toContainText(/out-0/);
  await img.dblclick();
  await expect(img).toHaveAttribute('draggable', 'true');

  // Unzoomed: dragged onto the composer's image field, which the detail covered.
  const from = (await img.boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 8 });
  await page.mouse.up();
  await expect(page.locator('[data-field="image"]')).toContainText(/out-0/);
  await expect(detail).toHaveCount(0);
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect.poll(async () => (await sentInputs(sim)).length).toBe(2);
  expect((await sentInputs(sim))[1]!.model).toBe(ESRGAN);
  const up = page.getByRole('article', { name: new RegExp(`^${ESRGAN} — `) });
  await expect(up.getByRole('button', { name: 'From flux-schnell: open the source run (black-forest-labs/flux-schnell — “a small red robot”)' })).toBeVisible();
  await expect(up).toHaveAccessibleName(/— succeeded, saved/);
  await page.mouse.move(0, 0);
  await auditThemes(page, 'chain-card-source');
});
