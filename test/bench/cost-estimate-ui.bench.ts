// The estimate next to Generate after a form change, in the real page (ARCHITECTURE.md, "Performance targets": ≤ 50 ms, no
// network on the hot path). Kiln's browser mode and the Replicate simulator run as in the e2e
// tests; Chromium changes "Num outputs" CHANGES times and the page itself stamps the input event
// and the first animation frame after the estimate's text changed (a MutationObserver), so the
// figure is input → painted, with no Playwright round trip in it. WebSocket frames carrying a
// `cost:` request during the changes are counted (must be 0: the price was asked once, before).
// Run: node test/bench/cost-estimate-ui.bench.ts [changes]. Prints `BENCH name value unit`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { launchKiln, startSim } from '../e2e/fixtures.ts';

const CHANGES = Number(process.argv[2] ?? 200);
const MODEL = 'black-forest-labs/flux-schnell';
const PRICE = 0.003;

const sim = await startSim();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-costui-'));
const kiln = await launchKiln({ dataDir, replicateBaseUrl: sim.baseUrl, apiToken: sim.token });
const browser = await chromium.launch({ executablePath: process.env.KILN_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const costFrames: string[] = [];
  let counting = false;
  page.on('websocket', (ws) =>
    ws.on('framesent', (f) => {
      if (counting && typeof f.payload === 'string' && f.payload.includes('"cost:')) costFrames.push(f.payload);
    }),
  );
  await page.goto(kiln.url);
  await page.getByRole('button', { name: /^Model: .*Change model$/ }).click();
  await page
    .getByRole('dialog', { name: 'Choose a model' })
    .getByRole('button', { name: new RegExp(`^${MODEL.replace(/[/.-]/g, '\\$&')}\\b`) })
    .first()
    .click();
  await page.getByLabel('Num outputs').waitFor();
  await page.getByTestId('cost-estimate').filter({ hasText: '$0.003' }).waitFor();

  counting = true;
  // In-page code: this file is typed without the DOM library, hence `g` (the page's globalThis).
  const times = await page.getByLabel('Num outputs').evaluate(
    async (input, { changes, price }) => {
      const g = globalThis as any;
      const el = input as any;
      const shown = g.document.querySelector('[data-testid="cost-estimate"]');
      const setValue = Object.getOwnPropertyDescriptor(g.HTMLInputElement.prototype, 'value')!.set!;
      const out: number[] = [];
      for (let i = 0; i < changes; i++) {
        const n = (i % 4) + 1 === Number(el.value) ? ((i + 1) % 4) + 1 : (i % 4) + 1;
        const want = `$${(n * price).toFixed(3)}`;
        const changed = new Promise<void>((resolve) => {
          const mo = new g.MutationObserver(() => {
            if (shown.textContent.includes(want)) {
              mo.disconnect();
              resolve();
            }
          });
          mo.observe(shown, { childList: true, characterData: true, subtree: true });
        });
        const t0 = g.performance.now();
        setValue.call(el, String(n));
        el.dispatchEvent(new g.Event('input', { bubbles: true }));
        await changed;
        await new Promise((r) => g.requestAnimationFrame(() => r(null)));
        out.push(g.performance.now() - t0);
        await new Promise((r) => setTimeout(r, 5));
      }
      return out;
    },
    { changes: CHANGES, price: PRICE },
  );
  counting = false;

  const sorted = [...times].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
  console.log(`BENCH cost-estimate-ui-p50 ${q(0.5).toFixed(1)} ms`);
  console.log(`BENCH cost-estimate-ui-p95 ${q(0.95).toFixed(1)} ms (target ≤ 50)`);
  console.log(`BENCH cost-estimate-ui-max ${sorted[sorted.length - 1]!.toFixed(1)} ms`);
  console.log(`BENCH cost-estimate-ui-cost-requests ${costFrames.length} frames (target 0)`);
  if (costFrames.length) process.exitCode = 1;
} finally {
  await browser.close();
  await kiln.stop();
  await sim.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
