import { screen, type BrowserWindow, type Rectangle } from 'electron';
import type { KilnStore } from './store.ts';

type Saved = { bounds: Rectangle; maximized: boolean };

const DEFAULT = { width: 1280, height: 820 };

/** Bounds to open with: the saved ones if they are still on a connected display. */
export function initialBounds(store: KilnStore): { bounds: Partial<Rectangle>; maximized: boolean } {
  const saved = store.get('window') as Saved | undefined;
  if (!saved?.bounds || typeof saved.bounds.width !== 'number') return { bounds: DEFAULT, maximized: false };
  const visible = screen.getAllDisplays().some((d) => {
    const a = d.workArea;
    return (
      saved.bounds.x < a.x + a.width &&
      saved.bounds.x + saved.bounds.width > a.x &&
      saved.bounds.y < a.y + a.height &&
      saved.bounds.y + saved.bounds.height > a.y
    );
  });
  return { bounds: visible ? saved.bounds : { width: saved.bounds.width, height: saved.bounds.height }, maximized: !!saved.maximized };
}

/** Remembers size, position and maximised state (debounced: resize fires continuously). */
export function trackWindowState(win: BrowserWindow, store: KilnStore) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const save = () => {
    if (win.isDestroyed()) return;
    const maximized = win.isMaximized();
    const prev = store.get('window') as Saved | undefined;
    store.set('window', { bounds: maximized || win.isMinimized() ? (prev?.bounds ?? win.getBounds()) : win.getBounds(), maximized });
  };
  const later = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 400);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('maximize', save);
  win.on('unmaximize', save);
  win.on('close', () => {
    if (timer) clearTimeout(timer);
    save();
  });
}
