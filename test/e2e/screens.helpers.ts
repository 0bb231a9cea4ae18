import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** Where screenshots go: test-results/ unless the docs are refreshed on purpose (KILN_UPDATE_DOCS=1). */
export const SHOTS_DIR = process.env.KILN_UPDATE_DOCS === '1' ? 'docs' : 'test-results/screens';

/**
 * A screen in both themes: audited by axe (WCAG 2.1 AA, the first nodes of each violation named)
 * and photographed into `dir` (none: no picture), then the page is left in its own theme again.
 */
export async function auditThemes(page: Page, name: string, dir: string | undefined = SHOTS_DIR): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    await page.locator('html').evaluate((el, t) => {
      (el as unknown as { dataset: Record<string, string> }).dataset.theme = t;
    }, theme);
    await page.waitForTimeout(250); // transitions settle, so axe sees the final colours
    const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(
      r.violations.map(
        (v) =>
          `${v.id}: ${v.help} — ${v.nodes
            .slice(0, 3)
            .map((n) => n.target.join(' '))
            .join(' | ')}`,
      ),
      `${name} (${theme})`,
    ).toEqual([]);
    if (dir) await page.screenshot({ path: `${dir}/${name}-${theme}.png` });
  }
  await page.locator('html').evaluate((el) => {
    delete (el as unknown as { dataset: Record<string, string> }).dataset.theme;
  });
}
