import { uiStore, useUi } from '../../stores/index.ts';
import { SpendButton } from '../spend/SpendView.tsx';
import { CompareButton, FanoutDialogs } from '../compare/FanoutDialogs.tsx';
import { StrokeIcon, TrashIcon } from '../../ui/StrokeIcon.tsx';

export function Header() {
  const panel = useUi((s) => s.panel);
  return (
    <header className="header">
      <div className="brand" aria-label="Kiln">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">Kiln</span>
      </div>
      <div className="header-spacer" />
      <CompareButton />
      <FanoutDialogs />
      <SpendButton />
      <button
        type="button"
        className="btn ghost"
        aria-pressed={panel === 'trash'}
        onClick={() => uiStore.getState().openPanel(panel === 'trash' ? 'gallery' : 'trash')}
      >
        <TrashIcon /> Recently deleted
      </button>
      <button
        type="button"
        className="btn ghost"
        aria-pressed={panel === 'settings'}
        onClick={() => uiStore.getState().openPanel(panel === 'settings' ? 'gallery' : 'settings')}
        title="Settings (Ctrl+,)"
      >
        <GearIcon /> Settings
      </button>
    </header>
  );
}

function GearIcon() {
  return (
    <StrokeIcon>
      <circle cx="12" cy="12" r="3" />
      <path d="M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z" />
    </StrokeIcon>
  );
}
