import fs from 'node:fs';
import path from 'node:path';
import { privateDirSync } from '../data-dir.ts';

// The app and the CLI may share one data dir at the same time. Scratch folders (download temp
// files, the delete trash) are therefore per process: <base>/<pid>. On start, folders left by
// processes that are gone are removed (their work was interrupted or committed); a live
// process's folder is never touched.
export function ownProcessDir(base: string): string {
  privateDirSync(base);
  for (const name of fs.readdirSync(base)) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0 || (pid !== process.pid && !alive(pid))) {
      fs.rmSync(path.join(base, name), { recursive: true, force: true });
    }
  }
  const own = path.join(base, String(process.pid));
  fs.rmSync(own, { recursive: true, force: true }); // a previous backend in this same process
  privateDirSync(own);
  return own;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
