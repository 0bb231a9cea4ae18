import type { MouseEvent, ReactNode } from 'react';
import Markdown, { type Components } from 'react-markdown';
import { openExternal } from './external.ts';

// Model output is untrusted text. react-markdown already drops raw HTML and unsafe URL schemes;
// on top of that, nothing in it may make the Kiln page fetch or navigate anywhere:
// - images become links with their alt text (an <img> to a remote URL is a tracking pixel that
//   would fire the moment an output is shown);
// - links never navigate the page: a click goes to the system browser through shell:openExternal,
//   and only for https: URLs.

/** The URL a link in model output may open in the system browser, or null when it must not. */
export function externalHref(href: string | null | undefined): string | null {
  if (!href) return null;
  try {
    const u = new URL(href);
    return u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

function ExternalLink({ href, children, title }: { href: string | undefined; children: ReactNode; title?: string }) {
  const safe = externalHref(href);
  // Anything but https stays plain text: nothing to click, nothing to follow.
  if (!safe)
    return (
      <span className="md-link-refused" title={href ? `Not opened (only https links are): ${href}` : undefined}>
        {children}
      </span>
    );
  const onClick = (e: MouseEvent) => {
    e.preventDefault();
    openExternal(safe);
  };
  return (
    <a href={safe} title={title ?? safe} rel="noreferrer noopener" onClick={onClick}>
      {children}
    </a>
  );
}

const components: Components = {
  a: ({ href, children, title }) => (
    <ExternalLink href={href} title={title ?? undefined}>
      {children}
    </ExternalLink>
  ),
  img: ({ src, alt }) => (
    <ExternalLink href={typeof src === 'string' ? src : undefined} title={typeof src === 'string' ? `Image not loaded: ${src}` : undefined}>
      <span aria-hidden="true">🖼 </span>
      {alt?.trim() || 'image'}
    </ExternalLink>
  ),
};

export function SafeMarkdown({ children }: { children: string }) {
  return <Markdown components={components}>{children}</Markdown>;
}
