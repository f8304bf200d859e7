/**
 * Mentions in an internal note's plain text: written "<@user id>" where the agent picked a member
 * (the editor's "@" autocomplete), stored as is, and drawn as "@Name". Pure: the server derives who
 * is mentioned from the body, the web app draws it.
 */
export const mentionToken = (userId: string) => `<@${userId}>`;

const tokenPattern = /<@([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})>/gi;

/** The distinct member ids a body mentions, in order of first mention. */
export function mentionedIds(body: string): string[] {
  return [...new Set([...body.matchAll(tokenPattern)].map((match) => (match[1] ?? '').toLowerCase()))];
}

export type NoteSegment = { text: string } | { mention: string; name: string | null };

/** The body as text and mention segments; `nameOf` gives a member's name (null: no longer a member). */
export function noteSegments(body: string, nameOf: (userId: string) => string | null): NoteSegment[] {
  const segments: NoteSegment[] = [];
  let at = 0;
  for (const match of body.matchAll(tokenPattern)) {
    const index = match.index;
    if (index > at) segments.push({ text: body.slice(at, index) });
    const userId = (match[1] ?? '').toLowerCase();
    segments.push({ mention: userId, name: nameOf(userId) });
    at = index + match[0].length;
  }
  if (at < body.length) segments.push({ text: body.slice(at) });
  return segments;
}

/** The body as one line of plain text ("@Name" for mentions), e.g. for a notification's preview. */
export function notePlainText(body: string, nameOf: (userId: string) => string | null): string {
  return noteSegments(body, nameOf)
    .map((segment) => ('text' in segment ? segment.text : `@${segment.name ?? 'former member'}`))
    .join('');
}
