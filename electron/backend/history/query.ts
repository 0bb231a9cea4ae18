// Turning what the user typed into safe query pieces. Pure and tested on its own.

/**
 * FTS5 MATCH syntax treats quotes, `-`, `:`, `*`, AND/OR/NEAR as operators; a search box must
 * never throw a syntax error. Each word becomes a quoted phrase (quotes doubled), the last one a
 * prefix so results narrow as the user types.
 */
export function ftsQuery(text: string): string | null {
  const words = text
    .split(/\s+/)
    .map((w) =>
      [...w]
        .filter((ch) => ch.charCodeAt(0) >= 0x20)
        .join('')
        .trim(),
    )
    .filter(Boolean)
    .slice(0, 32);
  if (words.length === 0) return null;
  return words.map((w, i) => `"${w.replace(/"/g, '""')}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}

/** Keyset cursor: the (created_at, seq) of the last row of a page. Opaque to the renderer. */
export function encodeCursor(createdAt: number, seq: number): string {
  return `${createdAt.toString(36)}.${seq.toString(36)}`;
}

export function decodeCursor(cursor: string): { createdAt: number; seq: number } | null {
  const m = /^(-?[0-9a-z]+)\.([0-9a-z]+)$/.exec(cursor);
  if (!m) return null;
  const createdAt = parseInt(m[1]!, 36);
  const seq = parseInt(m[2]!, 36);
  return Number.isFinite(createdAt) && Number.isFinite(seq) ? { createdAt, seq } : null;
}
