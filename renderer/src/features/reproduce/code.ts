import type { Res } from '../../../../shared/ipc.ts';

// "Copy as code" (issue 14): one run's create request, as the backend rebuilt it
// (predictions:request), written out as curl, JavaScript (fetch) and Python (requests). The key is
// always read from the environment variable named in the request, never written into the code.

export type RunRequest = Res<'predictions:request'>;
export type CodeLang = 'curl' | 'javascript' | 'python';
export const CODE_LANGS: { id: CodeLang; label: string }[] = [
  { id: 'curl', label: 'curl' },
  { id: 'javascript', label: 'JavaScript' },
  { id: 'python', label: 'Python' },
];

const VAR = /\$([A-Z_][A-Z0-9_]*)/g;
const json = (v: unknown) => JSON.stringify(v, null, 2);
const indent = (s: string, pad: string) =>
  s
    .split('\n')
    .map((l, i) => (i ? pad + l : l))
    .join('\n');

/** A shell word in single quotes: nothing inside is expanded; a quote is closed, escaped, reopened. */
const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function curl(r: RunRequest): string {
  const lines = [`curl -X ${r.method} ${shq(r.url)}`];
  for (const [k, v] of Object.entries(r.headers)) {
    // Only the variable may expand: double quotes, with every other shell-active character escaped.
    lines.push(VAR.test(v) ? `-H "${`${k}: ${v}`.replace(/["\\`]/g, '\\$&')}"` : `-H ${shq(`${k}: ${v}`)}`);
    VAR.lastIndex = 0;
  }
  lines.push(`-d ${shq(json(r.body))}`);
  return lines.join(' \\\n  ');
}

function javascript(r: RunRequest): string {
  const headers = Object.entries(r.headers).map(([k, v]) => {
    const key = /^[A-Za-z_$][\w$]*$/.test(k) ? k : `'${k}'`;
    const val = v.match(VAR) ? `\`${v.replace(/[`\\]/g, '\\$&').replace(VAR, (_, n: string) => `\${process.env.${n}}`)}\`` : JSON.stringify(v);
    return `    ${key}: ${val},`;
  });
  return [
    `const response = await fetch(${JSON.stringify(r.url)}, {`,
    `  method: '${r.method}',`,
    '  headers: {',
    ...headers,
    '  },',
    `  body: JSON.stringify(${indent(json(r.body), '  ')}),`,
    '});',
    'console.log(JSON.stringify(await response.json(), null, 2));',
  ].join('\n');
}

/** A JSON value as a Python literal (True/False/None; JSON string escapes are valid Python). */
export function pythonLiteral(v: unknown, pad = ''): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'None';
  if (typeof v === 'string') return JSON.stringify(v);
  const inner = `${pad}    `;
  if (Array.isArray(v)) return v.length ? `[\n${v.map((x) => inner + pythonLiteral(x, inner)).join(',\n')},\n${pad}]` : '[]';
  const entries = Object.entries(v as Record<string, unknown>);
  return entries.length ? `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${pythonLiteral(x, inner)}`).join(',\n')},\n${pad}}` : '{}';
}

function python(r: RunRequest): string {
  const headers = Object.entries(r.headers).map(([k, v]) => {
    const val = v.match(VAR) ? `f${JSON.stringify(v.replace(/[{}]/g, '$&$&')).replace(VAR, (_, n: string) => `{os.environ['${n}']}`)}` : JSON.stringify(v);
    return `        ${JSON.stringify(k)}: ${val},`;
  });
  return [
    'import json',
    'import os',
    'import requests',
    '',
    'response = requests.post(',
    `    ${JSON.stringify(r.url)},`,
    '    headers={',
    ...headers,
    '    },',
    `    json=${pythonLiteral(r.body, '    ')},`,
    ')',
    'print(json.dumps(response.json(), indent=2))',
  ].join('\n');
}

export function requestCode(r: RunRequest, lang: CodeLang): string {
  return lang === 'curl' ? curl(r) : lang === 'javascript' ? javascript(r) : python(r);
}
