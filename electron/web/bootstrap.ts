import { createHash } from 'node:crypto';
import { WEB_TOKEN_RETRY_KEY, WEB_TOKEN_STORAGE_KEY } from '../../shared/capability.ts';

// What a 403 says to a browser (docs/DECISIONS.md "Browser mode token"). The page keeps its token in
// sessionStorage (per tab, per origin — other ports cannot read it), not in the address bar and not in
// a cookie. A reload therefore arrives without a token and gets this 403; its one inline script puts
// the tab's token back into the URL once, and the page takes it out again. When that retry is refused
// too, the token changed: the tab says "Kiln restarted" instead of failing silently.

const RETRY_FLAG = WEB_TOKEN_RETRY_KEY;

const SCRIPT =
  `(function(){try{var s=sessionStorage,k=${JSON.stringify(WEB_TOKEN_STORAGE_KEY)},r=${JSON.stringify(RETRY_FLAG)},t=s.getItem(k);` +
  `if(s.getItem(r)){s.removeItem(r);document.getElementById('why').textContent='Kiln restarted \\u2014 open the new link printed in the terminal.';return}` +
  `if(t){s.removeItem(k);s.setItem(r,'1');location.replace('/?token='+encodeURIComponent(t)+location.hash)}}catch(e){}})()`;

const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64');

export const BOOTSTRAP_CSP = `default-src 'none'; script-src 'sha256-${SCRIPT_HASH}'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

export const BOOTSTRAP_HTML =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="color-scheme" content="light dark"><title>Kiln — link needed</title></head>' +
  '<body style="font:16px system-ui,sans-serif;margin:3rem auto;max-width:36rem;padding:0 1rem">' +
  '<h1>Forbidden</h1><p id="why">This Kiln page needs the link with its token, as printed in the terminal when Kiln web started ' +
  '(<code>Kiln web: http://…</code>). If Kiln was restarted with a new token, open the new link.</p>' +
  `<script>${SCRIPT}</script></body></html>`;
