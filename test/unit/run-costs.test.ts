import { describe, it, expect } from 'vitest';
import type { KilnApi } from '../../shared/ipc.ts';
import type { CostFigure } from '../../shared/domain/cost.ts';
import { createRunCosts } from '../../renderer/src/stores/run-costs.ts';

// The cards' cost cache (renderer/src/stores/run-costs.ts): one `cost:get` per ended run, an
// answer tells that run's card alone, and the cache stays bounded without blanking a card on screen.

const figure = (id: string): CostFigure => ({ usd: id.length / 100, estimated: true, basis: `basis ${id}`, tableDate: null });

function fakeApi() {
  const asked: string[] = [];
  const pending: (() => void)[] = [];
  const api = {
    invoke: (channel: string, req: { id: string }) => {
      expect(channel).toBe('cost:get');
      asked.push(req.id);
      return new Promise((resolve) => pending.push(() => resolve(figure(req.id))));
    },
  } as unknown as KilnApi;
  const answerAll = async () => {
    for (const go of pending.splice(0)) go();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { api: () => api, asked, answerAll };
}

describe('run costs', () => {
  it('asks once per ended run, never for one still running, and again only when forced', async () => {
    const f = fakeApi();
    const costs = createRunCosts(f.api);
    costs.ensure('a', 'processing');
    costs.ensure('a', 'succeeded');
    costs.ensure('a', 'succeeded'); // in flight
    await f.answerAll();
    costs.ensure('a', 'succeeded'); // known
    expect(f.asked).toEqual(['a']);
    expect(costs.get('a')).toEqual(figure('a'));
    costs.ensure('a', 'succeeded', true);
    expect(f.asked).toEqual(['a', 'a']);
  });

  it("tells only the answered run's watchers", async () => {
    const f = fakeApi();
    const costs = createRunCosts(f.api);
    const calls: string[] = [];
    const offA = costs.subscribe('a', () => calls.push('a'));
    costs.subscribe('b', () => calls.push('b'));
    costs.ensure('a', 'failed');
    await f.answerAll();
    expect(calls).toEqual(['a']);
    offA();
    costs.ensure('a', 'failed', true);
    await f.answerAll();
    expect(calls).toEqual(['a']);
  });

  it('keeps at most its bound, dropping the oldest figures but never one a card is showing', async () => {
    const f = fakeApi();
    const costs = createRunCosts(f.api, 3);
    costs.subscribe('r0', () => {}); // on screen
    for (let i = 0; i < 6; i++) costs.ensure(`r${i}`, 'succeeded');
    await f.answerAll();
    expect(costs.size).toBe(3);
    expect(costs.get('r0')).toEqual(figure('r0'));
    expect(costs.get('r1')).toBeUndefined();
    expect(costs.get('r5')).toEqual(figure('r5'));
    // A dropped run scrolled back into view is asked again.
    costs.ensure('r1', 'succeeded');
    expect(f.asked.filter((id) => id === 'r1')).toHaveLength(2);
  });
});
