import { useEffect } from 'react';
import { useSettings, useUi, uiStore } from './stores/index.ts';
import { Header } from './features/shell/Header.tsx';
import { OfflineBanner } from './features/shell/OfflineBanner.tsx';
import { RecoveryNotice } from './features/shell/RecoveryNotice.tsx';
import { Toasts } from './components/Toasts.tsx';
import { SettingsPanel } from './features/settings/SettingsPanel.tsx';
import { Composer } from './features/composer/Composer.tsx';
import { Gallery } from './features/gallery/Gallery.tsx';
import { DetailView } from './features/detail/DetailView.tsx';
import { RecentlyDeleted } from './features/trash/RecentlyDeleted.tsx';

export function App() {
  const theme = useSettings((s) => s.settings.theme);
  const panel = useUi((s) => s.panel);
  const detailId = useUi((s) => s.detailId);
  const composerOpen = useUi((s) => s.composerOpen);

  useEffect(() => {
    // 'system' leaves the attribute off so prefers-color-scheme decides.
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === ',' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        uiStore.getState().openPanel('settings');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="app">
      <Header />
      <OfflineBanner />
      <RecoveryNotice />
      <div className="workspace">
        {/* A class, not `:has(> .composer-rail)`: a :has rule makes the engine check it on every
            DOM change, and the gallery inserts and removes cards on every scroll frame. */}
        <aside className={`sidebar${composerOpen ? '' : ' sidebar-folded'}`} aria-label="Composer">
          <Composer />
        </aside>
        <main className="main" aria-label="Gallery">
          <Gallery />
        </main>
      </div>
      {detailId && <DetailView id={detailId} />}
      {/* After the detail view: a panel opened over it is the top dialog (one Escape closes it only). */}
      {panel === 'settings' && <SettingsPanel />}
      {panel === 'trash' && <RecentlyDeleted />}
      <Toasts />
    </div>
  );
}
