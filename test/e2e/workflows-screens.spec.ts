import { test, expect } from './fixtures.ts';
import { openStudio, pickModel, generate, card, showAdvanced } from './studio.helpers.ts';
import { auditThemes } from './screens.helpers.ts';

// Issue 14's new screens in both themes, each checked by axe (WCAG 2.1 AA) and photographed:
// the gallery at 1024 px (shapes, ×N and ▶ badges, actions on focus), folded composer, the
// composer after a Remix (Same seed, Reset to defaults, Advanced), and Copy as code.

test.use({ kilnOptions: { apiToken: 'sim' }, viewport: { width: 1024, height: 768 } });

const FLUX = 'black-forest-labs/flux-schnell';
const VEO = 'google/veo-3';

test('workflow screens pass WCAG 2.1 AA in light and dark', async ({ page, kiln, sim }) => {
  test.setTimeout(300_000);
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 200 }, [VEO]: { coldBootMs: 100, runMs: 300 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  await showAdvanced(page);
  for (const [prompt, ratio, n] of [
    ['a lighthouse on a cliff, long exposure', '21:9', '1'],
    ['a tall glass of iced tea, studio light', '9:16', '1'],
    ['four ceramic bowls, top view', '1:1', '4'],
  ] as const) {
    await page.getByLabel('Aspect ratio').selectOption(ratio);
    await page.getByLabel('Num outputs').fill(n);
    await expect(await generate(page, prompt)).toHaveAccessibleName(/— succeeded, saved/);
  }
  await pickModel(page, VEO);
  await expect(await generate(page, 'a paper boat drifting on a pond')).toHaveAccessibleName(/— succeeded, saved/);
  await expect(page.locator('.video-badge')).toHaveText(/\d+:\d\d$/);
  await card(page, 'four ceramic bowls, top view').focus(); // its actions show
  await auditThemes(page, 'gallery-1024');

  await page.getByRole('button', { name: 'Hide composer' }).click();
  await expect(page.getByRole('button', { name: 'Show composer' })).toBeVisible();
  await auditThemes(page, 'gallery-folded-1024');

  await card(page, 'a lighthouse on a cliff, long exposure').getByRole('button', { name: 'Remix' }).click();
  await expect(page.getByRole('checkbox', { name: /^Same seed \(\d+\)$/ })).toBeChecked();
  await auditThemes(page, 'composer-remix');

  await card(page, 'a lighthouse on a cliff, long exposure').click();
  await page
    .getByRole('dialog', { name: /^Details:/ })
    .getByRole('button', { name: 'Copy as code' })
    .click();
  await expect(page.getByRole('dialog', { name: 'Copy as code' }).locator('pre.code-block')).toContainText('REPLICATE_API_TOKEN');
  await page.getByRole('radio', { name: 'Python' }).click();
  await auditThemes(page, 'copy-as-code');
});
