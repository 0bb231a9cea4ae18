import { WEB_TOKEN_RETRY_KEY, WEB_TOKEN_STORAGE_KEY } from '../../../shared/capability.ts';

// Where the browser-mode page keeps its token (docs/DECISIONS.md "Browser mode token"): the printed
// link brings it as `?token=`; the page moves it into sessionStorage (this tab and this origin only —
// unlike a cookie, another 127.0.0.1 port cannot read it) and takes it out of the address bar, so it
// is not in the history, a bookmark or a screenshot. A reload is answered 403 by the server, whose
// tiny page (electron/web/bootstrap.ts) puts the stored token back into the URL once.

export interface TokenPlace {
  location: { href: string };
  history: { state: unknown; replaceState(data: unknown, unused: string, url: string): void };
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
}

/** The page's token, taken out of the address bar if it was there. */
export function takeWebToken(place: TokenPlace): string | null {
  const url = new URL(place.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    url.searchParams.delete('token');
    place.history.replaceState(place.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    try {
      place.storage?.setItem(WEB_TOKEN_STORAGE_KEY, fromUrl);
      place.storage?.removeItem(WEB_TOKEN_RETRY_KEY);
    } catch {
      // Storage disabled: this load works; a reload will need the printed link again.
    }
    return fromUrl;
  }
  try {
    return place.storage?.getItem(WEB_TOKEN_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}
