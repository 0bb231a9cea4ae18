import type { ProviderId } from '../../../shared/domain/provider.ts';
import { PROVIDER_LABELS } from '../../../shared/domain/provider.ts';
import './provider.css';

/**
 * The provider's name as a small label. Its text is part of the surrounding accessible name
 * (a card's, an option's) unless the caller hides it because that name already says it.
 */
export function ProviderBadge({ provider, hidden = false }: { provider: ProviderId; hidden?: boolean }) {
  return (
    <span className={`provider-badge provider-${provider}`} aria-hidden={hidden || undefined}>
      {PROVIDER_LABELS[provider] ?? provider}
    </span>
  );
}
