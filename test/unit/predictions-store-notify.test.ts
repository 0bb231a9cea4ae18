import { describe, it, expect, afterEach } from 'vitest';
import { notifyRoute, notifyUser, type NotifyContext } from '../../renderer/src/notify.ts';
import { createMemoryKiln } from '../../renderer/src/platform/memory-kiln.ts';
import { uiStore, settingsStore } from '../../renderer/src/stores/index.ts';

// What the page does with the backend's `notify` event (a long prediction finished).

const ctx = (o: Partial<NotifyContext> = {}): NotifyContext => ({ enabled: true, mode: 'web', permission: 'granted', visible: true, focused: false, ...o });

describe('notify routing', () => {
  it('stays quiet when notifications are off, and in Electron (main shows native ones)', () => {
    expect(notifyRoute(ctx({ enabled: false }))).toBe('none');
    expect(notifyRoute(ctx({ mode: 'electron' }))).toBe('none');
    expect(notifyRoute(ctx({ mode: 'electron', focused: true }))).toBe('none');
  });

  it('uses a system notification only when permitted and the page is hidden or unfocused', () => {
    expect(notifyRoute(ctx({ focused: false }))).toBe('system');
    expect(notifyRoute(ctx({ visible: false, focused: true }))).toBe('system');
    expect(notifyRoute(ctx({ visible: true, focused: true }))).toBe('toast');
  });

  it('falls back to an in-app toast without permission or without the API', () => {
    expect(notifyRoute(ctx({ permission: 'default' }))).toBe('toast');
    expect(notifyRoute(ctx({ permission: 'denied', visible: false }))).toBe('toast');
    expect(notifyRoute(ctx({ permission: null }))).toBe('toast');
    expect(notifyRoute(ctx({ mode: 'memory', permission: null }))).toBe('toast');
  });
});

describe('notifyUser', () => {
  const g = globalThis as { kiln?: unknown };
  afterEach(() => { delete g.kiln; uiStore.setState({ toasts: [] }); });

  it('shows a toast with an Open action in a page without the Notification API, and nothing when turned off', () => {
    g.kiln = createMemoryKiln();
    const before = settingsStore.getState().settings;
    settingsStore.setState({ settings: { ...before, notifications: true } });
    notifyUser({ title: 'Prediction finished', body: 'a red fox', predictionId: 'p1' });
    const t = uiStore.getState().toasts;
    expect(t).toHaveLength(1);
    expect(t[0]!.message).toBe('Prediction finished — a red fox');
    t[0]!.action!.run();
    expect(uiStore.getState().detailId).toBe('p1');

    uiStore.setState({ toasts: [] });
    settingsStore.setState({ settings: { ...before, notifications: false } });
    notifyUser({ title: 'Prediction finished', body: 'again', predictionId: null });
    expect(uiStore.getState().toasts).toHaveLength(0);
    settingsStore.setState({ settings: before });
  });
});
