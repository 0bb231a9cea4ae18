import { installKiln } from './platform/index.ts';
import { connectEvents } from './events.ts';
import './styles/base.css';

// The page's entry, small on purpose: it opens the backend connection and asks for the first page
// (connectEvents) while the UI's chunk (app-root.tsx: React and every screen) is still downloading
// and compiling, so the two waits overlap instead of following each other (docs/DECISIONS.md,
// "First cards").
async function boot() {
  const ui = import('./app-root.tsx');
  ui.catch(() => {}); // awaited below, where a failure is shown
  try {
    await installKiln();
  } catch (e) {
    (await ui).renderBootError(e);
    return;
  }
  connectEvents();
  await (await ui).renderApp();
}

// The UI's chunk itself failed to load (a damaged install): still never a blank screen.
void boot().catch((e: unknown) => {
  const p = document.createElement('p');
  p.className = 'boot-error';
  p.setAttribute('role', 'alert');
  p.textContent = `Kiln could not start its window: ${e instanceof Error ? e.message : String(e)}. Reinstalling Kiln should fix this.`;
  document.getElementById('root')?.replaceChildren(p);
});
