/**
 * The word being typed at the caret when it starts with `trigger` ("@" for a mention, "/" for a canned
 * response) at the start of the text or after a space: where it starts and what follows the trigger.
 * Null when the caret is not in such a word.
 */
export function activeToken(
  text: string,
  caret: number,
  trigger: '@' | '/',
): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const start = before.lastIndexOf(trigger);
  if (start < 0) return null;
  if (start > 0 && !/\s/.test(before[start - 1] ?? '')) return null;
  const query = before.slice(start + 1);
  // A mention may name someone by first and last name ("@Ada Ag"); a shortcut is one word.
  const allowed = trigger === '@' ? /^[\p{L}\p{N}._-]*( [\p{L}\p{N}._-]*)?$/u : /^[a-z0-9_-]*$/i;
  if (query.length > 40 || !allowed.test(query)) return null;
  return { start, query };
}

/** `text` with the token [start, caret) replaced by `insert`; the caret after it. */
export function replaceToken(
  text: string,
  start: number,
  caret: number,
  insert: string,
): { text: string; caret: number } {
  return { text: text.slice(0, start) + insert + text.slice(caret), caret: start + insert.length };
}

/**
 * A note as the agent typed it ("@Ada Agent, look") into what is stored ("<@id>, look"): every
 * "@Name" of a member who can be mentioned becomes their token, longest names first.
 */
export function withMentionTokens(text: string, members: readonly { id: string; name: string }[]): string {
  let result = text;
  for (const member of [...members].sort((a, b) => b.name.length - a.name.length)) {
    if (!member.name) continue;
    result = result.split(`@${member.name}`).join(`<@${member.id}>`);
  }
  return result;
}
