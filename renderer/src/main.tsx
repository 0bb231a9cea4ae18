import { createRoot } from 'react-dom/client';
import { installKiln } from './platform/index.ts';
import { App } from './App.tsx';
import { connectEvents } from './events.ts';
import { predictionsStore } from './stores/index.ts';
import './styles/base.css';

async function boot() {
  const root = createRoot(document.getElementById('root')!);
  try {
    await installKiln();
  } catch (e) {
    // Never a blank screen: say what went wrong where the app would be.
    root.render(
      <main className="boot-error" role="alert">
        <h1>Kiln could not connect to its backend</h1>
        <p>{e instanceof Error ? e.message : String(e)}</p>
        <p>Reload the page once the app is running again.</p>
      </main>,
    );
    return;
  }
  connectEvents();
  await firstPageOrTimeout(FIRST_PAGE_WAIT_MS);
  root.render(<App />);
}

/**
 * How long the first render waits for the gallery's first page. It usually comes within tens of
 * ms of asking, while the page is still busy starting: rendered with it, the cards are in the first
 * frame, instead of an empty gallery drawn and laid out first and the cards in a second full render
 * and layout (docs/DECISIONS.md, "First cards"). A slow backend gets the empty gallery at this bound.
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

void boot();
