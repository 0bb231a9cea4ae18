import { createRoot } from 'react-dom/client';
import { installKiln } from './platform/index.ts';
import { App } from './App.tsx';
import { connectEvents } from './events.ts';
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
  root.render(<App />);
}

void boot();
