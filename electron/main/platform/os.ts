import { BrowserWindow, ClipboardItem, Notification, clipboard, dialog, nativeImage, shell } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import type { PlatformAdapter } from '../../backend/types.ts';
import { externalOpenTarget } from '../sender-check.ts';

// The OS integrations the backend may ask for (reveal, save as, copy, open, notify). Thin on
// purpose: every decision about *what* may be opened is made in the backend or in sender-check.ts.
export function createElectronPlatform(getWindow: () => BrowserWindow | null, onNotificationClick: (predictionId: string | null) => void): PlatformAdapter {
  return {
    async reveal(absPath) {
      shell.showItemInFolder(absPath);
    },
    async saveAs(absPath) {
      const win = getWindow();
      const opts = { defaultPath: path.basename(absPath) };
      const res = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
      if (res.canceled || !res.filePath) return null;
      await fs.promises.copyFile(absPath, res.filePath);
      return res.filePath;
    },
    async copyImage(absPath) {
      // Electron 45's clipboard is the async, W3C-shaped API: PNG bytes in a ClipboardItem.
      const png = nativeImage.createFromPath(absPath).toPNG();
      await clipboard.write([new ClipboardItem({ 'image/png': new Blob([new Uint8Array(png)], { type: 'image/png' }) })]);
    },
    async openPath(absPath) {
      const err = await shell.openPath(absPath);
      if (err) throw new Error(err);
    },
    async openExternal(url) {
      const safe = externalOpenTarget(url);
      if (!safe) throw new Error('Only https: links can be opened');
      await shell.openExternal(safe);
    },
    notify(title, body, predictionId) {
      if (!Notification.isSupported()) return;
      const n = new Notification({ title, body, silent: false });
      n.on('click', () => onNotificationClick(predictionId));
      n.show();
    },
    isFocused: () => getWindow()?.isFocused() ?? false,
  };
}
