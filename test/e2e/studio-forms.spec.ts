import { test, expect } from './fixtures.ts';
import { openStudio, pickModel, card, creates, sentInputs, showAdvanced } from './studio.helpers.ts';
import { CATALOGUE, fullName } from '../replicate-sim/catalogue.ts';

// The schema-driven composer against every model the simulator publishes, file inputs by
// drag-and-drop, and 422 errors from the provider landing on their fields.

test.use({ kilnOptions: { apiToken: 'sim' } });

// A real 1×1 PNG.
const PNG_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

test('the composer renders a field for every input of every catalogue model', async ({ page, kiln }) => {
  await openStudio(page, kiln.url);
  for (const m of CATALOGUE) {
    await pickModel(page, fullName(m));
    await showAdvanced(page);
    for (const [name, schema] of Object.entries(m.inputProperties)) {
      const field = page.locator(`.composer-form [data-field="${name}"]`);
      await expect(field, `${fullName(m)} ${name}`).toHaveCount(1);
      if ((schema as { format?: string }).format === 'uri') await expect(field.getByText('Choose file')).toBeVisible();
      if ((schema as { type?: string }).type === 'boolean') await expect(field.getByRole('checkbox')).toHaveCount(1);
      // Enums (published as allOf $refs into components.schemas) are choices, not free text.
      if ((schema as { allOf?: unknown }).allOf)
        await expect(field.locator('select, [role="radiogroup"]'), `${fullName(m)} ${name} is a choice`).toHaveCount(1);
    }
    for (const r of m.required) await expect(page.locator(`.composer-form [data-field="${r}"] .req`)).toHaveCount(1);
    // Order follows x-order, within the main fields and within those folded under "Advanced".
    const names = await page.locator('.composer-form [data-field]').evaluateAll((els) => els.map((e) => e.getAttribute('data-field')));
    const folded = await page.locator('.composer-form .advanced-fields [data-field]').evaluateAll((els) => els.map((e) => e.getAttribute('data-field')));
    const order = Object.keys(m.inputProperties);
    expect([...names].sort()).toEqual([...order].sort());
    expect(names.filter((n) => !folded.includes(n))).toEqual(order.filter((n) => !folded.includes(n)));
    expect(folded).toEqual(order.filter((n) => folded.includes(n)));
  }
});

test('client-side validation stops a send and points at the field', async ({ page, kiln, sim }) => {
  await openStudio(page, kiln.url);
  await pickModel(page, 'black-forest-labs/flux-schnell');
  await page.getByLabel('Prompt', { exact: true }).fill('');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.locator('[data-field="prompt"] .field-error')).toHaveText(/required/);
  await expect(page.getByLabel('Prompt', { exact: true })).toBeFocused();
  await page.waitForTimeout(500);
  expect(creates(sim)).toBe(0);
  await expect(page.getByRole('article')).toHaveCount(0);
});

test('drag and drop an image into a file input, then upscale it', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { 'nightmareai/real-esrgan': { coldBootMs: 200, runMs: 200 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, 'nightmareai/real-esrgan');
  const zone = page.locator('[data-field="image"] [data-testid="dropzone"]');
  const dt = await page.evaluateHandle((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const g = globalThis as any; // a page function: DOM globals, not Node types
    const d = new g.DataTransfer();
    d.items.add(new g.File([bytes], 'dot.png', { type: 'image/png' }));
    return d;
  }, PNG_B64);
  await zone.dispatchEvent('dragover', { dataTransfer: dt });
  await zone.dispatchEvent('drop', { dataTransfer: dt });
  await expect(page.getByRole('img', { name: 'Preview of dot.png' })).toBeVisible();
  await page.getByRole('button', { name: 'Generate' }).click();
  const c = card(page, 'nightmareai/real-esrgan');
  await expect(c).toHaveAccessibleName(/— succeeded/);
  // The model got these very bytes: inlined as a data URI (small files) or uploaded to the files API.
  const sent = (await sentInputs(sim)).find((p) => p.model === 'nightmareai/real-esrgan')?.input.image;
  if (typeof sent === 'string' && sent.startsWith('data:')) expect(sent).toBe(`data:image/png;base64,${PNG_B64}`);
  else {
    expect(sent).toMatch(/\/files\//);
    expect(sim.control.counters().byEndpoint['files.create'] ?? 0).toBeGreaterThan(0);
  }
});

test('a 422 from the provider lands on its field', async ({ page, kiln }) => {
  await openStudio(page, kiln.url);
  await pickModel(page, 'nightmareai/real-esrgan');
  // A value only the provider refuses: not a URL the model can fetch.
  await page.getByLabel('Image URL').fill('not a url');
  await page.getByLabel('Image URL').press('Enter');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.locator('[data-field="image"] .field-error')).toContainText(/uri/i);
  await expect(page.locator('[data-field="scale"] .field-error')).toHaveCount(0);
});
