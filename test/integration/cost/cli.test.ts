import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Sim } from '../../replicate-sim/index.ts';
import { kilnChild } from '../cli/kiln-child.ts';
import { TABLE_DATE } from '../../../electron/backend/pricing/replicate-table.ts';

// Money in the `kiln` CLI (ARCHITECTURE.md, "Fixed interfaces"), as a user runs it: a real child process against the
// Replicate simulator. --max-cost refuses before anything is created; --json carries `cost`;
// `kiln cost --json` prints the totals.

const FAST = 'black-forest-labs/flux-schnell';
let sim: Sim;
let dataDir: string;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
  rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  sim.control.reset();
  sim.control.loadScenario({ models: { [FAST]: { coldBootMs: 100, runMs: 200 } } });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kiln-cost-cli-'));
});

const kiln = (args: string[]) => kilnChild(args, { env: { REPLICATE_API_TOKEN: sim.token, KILN_REPLICATE_BASE_URL: sim.baseUrl, KILN_DATA_DIR: dataDir } });
const creates = async () => Object.values((await sim.control.counters()).createsByInputHash).reduce((a, b) => a + b, 0);

describe('kiln and money', () => {
  it('--max-cost below the estimate: exit 2, a message with the estimate, and nothing created', async () => {
    const r = await kiln(['run', FAST, '-i', 'prompt=a kiln', '-i', 'num_outputs=4', '--max-cost', '0.01']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('estimated cost $0.012 (4 images × $0.003');
    expect(r.stderr).toContain('above --max-cost $0.01');
    expect(r.stdout).toBe('');
    expect(await creates()).toBe(0);
    // A model whose price is unknown cannot honour a maximum either.
    const unknown = await kiln(['run', 'stability-ai/sdxl', '-i', 'prompt=x', '--max-cost', '5']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/cost of this run is unknown/);
    expect(await creates()).toBe(0);
  });

  it('a run that would cross the daily budget set in the app is refused the same way', async () => {
    writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ budgetDailyUsd: 0.005 }), { mode: 0o600 });
    const r = await kiln(['run', FAST, '-i', 'prompt=x', '-i', 'num_outputs=2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/over the daily budget of \$0\.005/);
    expect(await creates()).toBe(0);
  });

  it('run --json carries cost {usd, estimated, basis}; kiln cost --json totals two runs', async () => {
    const a = await kiln(['run', FAST, '-i', 'prompt=one', '-i', 'num_outputs=2', '--json', '--max-cost', '1']);
    expect(a.code).toBe(0);
    const doc = JSON.parse(a.stdout);
    expect(doc.cost).toMatchObject({ usd: 0.006, estimated: true, basis: `2 images × $0.003, Replicate's price table of ${TABLE_DATE}` });
    const b = await kiln(['run', FAST, '-i', 'prompt=two', '--json']);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout).cost).toMatchObject({ usd: 0.003, estimated: true });

    const c = await kiln(['cost', '--json']);
    expect(c.code).toBe(0);
    const totals = JSON.parse(c.stdout);
    expect(totals).toMatchObject({ total_usd: 0.009, by_model: [{ provider: 'replicate', model: FAST, usd: 0.009, runs: 2, estimated: true }] });
    expect(Object.keys(totals.by_model[0])).toEqual(expect.arrayContaining(['provider', 'model', 'usd', 'runs', 'estimated']));
    // --since a day in the future: nothing yet.
    expect(JSON.parse((await kiln(['cost', '--since', '2999-01-01', '--json'])).stdout)).toMatchObject({ total_usd: 0, by_model: [] });
    // The table for people: one line per model and the total.
    const human = await kiln(['cost']);
    expect(human.stdout).toMatch(/~\$0\.009\s+2 runs\s+replicate:black-forest-labs\/flux-schnell/);
    expect(human.stdout).toMatch(/~\$0\.009\s+total/);
    expect((await kiln(['cost', '--since', 'yesterday'])).code).toBe(2);
  });
});
