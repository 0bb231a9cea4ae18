import { useSettings, uiStore } from '../../stores/index.ts';
import { anyKeySet } from '../../stores/settings.ts';
import { openExternal, KEY_URLS } from '../../components/external.ts';
import { PROVIDER_IDS, PROVIDER_LABELS } from '../../../../shared/domain/provider.ts';

export function EmptyState() {
  const keySet = useSettings(anyKeySet);
  return (
    <div className="empty-state">
      <div className="empty-art" aria-hidden="true" />
      <h2>Your gallery is empty</h2>
      {keySet ? (
        <p>
          Pick a model on the left, describe what you want, and press <kbd>Generate</kbd> (or <kbd>Ctrl</kbd>+<kbd>Enter</kbd>). Each prediction appears here
          and is saved to your computer the moment it finishes.
        </p>
      ) : (
        <>
          <p>Kiln runs models on Replicate and fal. To start, add your API key for either in Settings — it stays on this computer.</p>
          <div className="row gap center">
            <button type="button" className="btn primary" onClick={() => uiStore.getState().openPanel('settings')}>
              Add your API key
            </button>
            {PROVIDER_IDS.map((id) => (
              <a
                key={id}
                href={KEY_URLS[id]}
                className="btn"
                onClick={(e) => {
                  e.preventDefault();
                  openExternal(KEY_URLS[id]);
                }}
              >
                Get a {PROVIDER_LABELS[id]} API key
              </a>
            ))}
          </div>
        </>
      )}
      <ol className="steps">
        <li>Choose a model — FLUX for images, Veo for video, Llama for text.</li>
        <li>Fill in the prompt and any options. Your last values are remembered per model.</li>
        <li>Generate. Cold starts can take minutes; Kiln keeps watching, even across restarts.</li>
      </ol>
    </div>
  );
}
