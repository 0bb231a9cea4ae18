import { test, expect } from './fixtures.ts';
import { openStudio, pickModel, generate, card } from './studio.helpers.ts';

// Issue 11, "Accessible primitives": keyboard and screen-reader behaviour axe cannot see — the
// card's menu, modal dialogs, the model picker and the gallery feed — driven by keys as a person
// using them would.

test.use({ kilnOptions: { apiToken: 'sim' } });

const FLUX = 'black-forest-labs/flux-schnell';

test('“More actions” is a menu: arrow keys move, Escape closes and returns focus, a choice or an outside click closes it', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 100 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const c = await generate(page, 'a menu of teapots');
  await expect(c).toHaveAccessibleName(/— succeeded, saved/);
  const more = c.getByRole('button', { name: 'More actions' });
  await more.focus();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('menu');
  await expect(menu).toBeVisible();
  const items = menu.getByRole('menuitem');
  await expect(items.first()).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(items.nth(1)).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);
  await expect(more).toBeFocused();

  await more.click();
  await expect(menu).toBeVisible();
  await page.mouse.click(5, 300);
  await expect(menu).toHaveCount(0);

  await more.click();
  await menu.getByRole('menuitem', { name: 'Copy prompt' }).click();
  await expect(menu).toHaveCount(0);
});

test.describe('on a touch screen', () => {
  test.use({ hasTouch: true });
  // The card's menu mounts its Radix machinery on approach (ui/Menu.tsx); a tap has no hover before it.
  test('a tap on “More actions” opens the menu, and a tap on an item runs it', async ({ page, kiln, sim }) => {
    sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 100 } } });
    await openStudio(page, kiln.url);
    await pickModel(page, FLUX);
    const c = await generate(page, 'a tapped teapot');
    await expect(c).toHaveAccessibleName(/— succeeded, saved/);
    await c.getByRole('button', { name: 'More actions' }).tap();
    const menu = page.getByRole('menu');
    await expect(menu).toBeVisible();
    await menu.getByRole('menuitem', { name: 'Copy prompt' }).tap();
    await expect(menu).toHaveCount(0);
  });
});

test('dialogs: the background is inert, one Escape closes only the top dialog, the detail view keeps Tab inside', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 100 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  const c = await generate(page, 'a modal moment');
  await expect(c).toHaveAccessibleName(/— succeeded, saved/);

  await c.click();
  const detail = page.getByRole('dialog', { name: /Details: a modal moment/ });
  await expect(detail).toBeVisible();
  // Nothing behind the detail view can be reached by assistive technology or by Tab.
  await expect(page.getByRole('button', { name: 'Generate' })).toHaveCount(0);
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press('Tab');
    // A page function: DOM globals, not Node types.
    expect(await page.evaluate(() => !!(globalThis as any).document.activeElement?.closest('[role="dialog"]'))).toBe(true);
  }

  // Settings over the detail view: Escape closes Settings only.
  await page.keyboard.press('Control+,');
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await expect(settings).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(settings).toHaveCount(0);
  await expect(detail).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(detail).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Generate' })).toBeVisible();
});

test('the model picker is a combobox: type, ↓, Enter picks, focus returns to the picker button', async ({ page, kiln }) => {
  await openStudio(page, kiln.url);
  const trigger = page.getByRole('button', { name: /^Model: .*Change model$/ });
  await trigger.click();
  const box = page.getByRole('combobox', { name: 'Search models' });
  await expect(box).toBeFocused();
  await box.fill('esrgan');
  await expect(page.getByRole('option', { name: /^nightmareai\/real-esrgan/ })).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await expect(box).toHaveAttribute('aria-activedescendant', /.+/);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Model: nightmareai/real-esrgan. Change model' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Model: nightmareai/real-esrgan. Change model' })).toBeFocused();
  // Escape closes without picking, focus back on the button too.
  await page.keyboard.press('Enter');
  await expect(box).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(box).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Model: nightmareai/real-esrgan. Change model' })).toBeFocused();
});

test('gallery feed articles say their position and the set size', async ({ page, kiln, sim }) => {
  sim.control.loadScenario({ models: { [FLUX]: { coldBootMs: 100, runMs: 100 } } });
  await openStudio(page, kiln.url);
  await pickModel(page, FLUX);
  for (const p of ['feed one', 'feed two', 'feed three']) await expect(await generate(page, p)).toHaveAccessibleName(/— succeeded/);
  await expect(card(page, 'feed three')).toHaveAttribute('aria-posinset', '1');
  await expect(card(page, 'feed one')).toHaveAttribute('aria-posinset', '3');
  await expect(card(page, 'feed one')).toHaveAttribute('aria-setsize', '3');
});
