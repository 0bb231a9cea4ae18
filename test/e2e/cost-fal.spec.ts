import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect, launchKiln, type KilnWeb } from './fixtures.ts';
import { openStudio, pickModel } from './studio.helpers.ts';
import { startFalSimulator, type FalSim } from '../fal-sim/index.ts';

// A fal model's estimate in the studio (issue 13, ARCHITECTURE.md, "Money"): the price beside Generate comes from
// fal's pricing API (the fal simulator serves it), with that basis on hover. The web server is
// wired to the fal simulator here, through the environment ARCHITECTURE.md, "Fixed interfaces" names (FAL_KEY,
// KILN_FAL_*_URL); fixtures.ts gains a shared fal fixture separately.

test.use({ viewport: { width: 1280, height: 860 } });

let fal: FalSim;
let kiln: KilnWeb;
let dataDir: string;

test.beforeEach(async ({ sim }) => {
  fal = await startFalSimulator({});
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-e2e-fal-cost-'));
  kiln = await launchKiln({
    dataDir,
    replicateBaseUrl: sim.baseUrl,
    apiToken: sim.token,
    extraEnv: { FAL_KEY: fal.key, KILN_FAL_QUEUE_URL: fal.queueUrl, KILN_FAL_API_URL: fal.apiUrl, KILN_FAL_STORAGE_URL: fal.storageUrl },
  });
});

test.afterEach(async () => {
  await kiln?.stop();
  await fal?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test("a fal model's estimate beside Generate is fal's price, with fal's pricing API as its basis", async ({ page }) => {
  const FAL_FLUX = 'fal:fal-ai/flux/dev';
  await openStudio(page, kiln.url);
  // The picker lists fal's models beside Replicate's (named "REF — fal").
  await pickModel(page, FAL_FLUX);

  const estimate = page.getByTestId('cost-estimate');
  await expect(estimate).toHaveText(/\$0\.025$/);
  await expect(estimate).toHaveAccessibleDescription(/^1 image × \$0\.025, fal's pricing API, \d{4}-\d{2}-\d{2}$/);
  // Asked of fal once, then cached: choosing the model again asks nothing more.
  expect((await fal.control.counters()).byEndpoint['platform.pricing']).toBe(1);
  await estimate.hover();
  await expect(page.getByRole('tooltip')).toHaveText(/fal's pricing API/);
});
