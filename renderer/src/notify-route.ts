// Where a `notify` event goes, without touching the DOM (unit-tested in plain Node).

export type NotifyRoute = 'none' | 'system' | 'toast';

export interface NotifyContext {
  /** settings.notifications */
  enabled: boolean;
  /** The transport: 'electron' | 'web' | 'memory'. */
  mode: string;
  /** Notification.permission, or null when the API does not exist. */
  permission: 'default' | 'denied' | 'granted' | null;
  /** document.visibilityState === 'visible' */
  visible: boolean;
  /** document.hasFocus() */
  focused: boolean;
}

/** Where a `notify` event goes. Pure, so every combination is unit-tested. */
export function notifyRoute(c: NotifyContext): NotifyRoute {
  if (!c.enabled || c.mode === 'electron') return 'none';
  // A system notification for a page the user is looking at would be noise: a toast says it there.
  if (c.permission === 'granted' && (!c.visible || !c.focused)) return 'system';
  return 'toast';
}
