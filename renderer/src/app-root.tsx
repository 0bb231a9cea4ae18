import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { predictionsStore } from './stores/index.ts';

// The page's UI: React and every screen, a chunk of its own that main.tsx loads while the backend
// connection opens and the first page is asked for (docs/DECISIONS.md, "First cards").

export function renderBootError(e: unknown): void {
  // Never a blank screen: say what went wrong where the app would be.
  createRoot(document.getElementById('root')!).render(
    <main className="boot-error" role="alert">
      <h1>Kiln could not connect to its backend</h1>
      <p>{e instanceof Error ? e.message : String(e)}</p>
      <p>Reload the page once the app is running again.</p>
    </main>,
  );
}

export async function renderApp(): Promise<void> {
  const root = createRoot(document.getElementById('root')!);
  await firstPageOrTimeout(FIRST_PAGE_WAIT_MS);
  root.render(<App />);
}

/**
 * How long the first render waits for the gallery's first page. main.tsx asked for it while this
 * chunk loaded, so it has usually come, or comes within tens of ms: rendered with it, the cards are
 * in the first frame, instead of an empty gallery drawn and laid out first and the cards in a second
 * full render and layout (docs/DECISIONS.md, "First cards"). A slow backend gets the empty gallery
 * at this bound.
 */
const FIRST_PAGE_WAIT_MS = 300;

function firstPageOrTimeout(ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (predictionsStore.getState().loaded) return resolve();
    const done = () => {
      clearTimeout(timer);
      off();
      resolve();
    };
    const timer = setTimeout(done, ms);
    const off = predictionsStore.subscribe((s) => void (s.loaded && done()));
  });
}
