import { describe, it, expect } from 'vitest';
import { notifyRoute, type NotifyContext } from '../../renderer/src/notify-route.ts';

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
