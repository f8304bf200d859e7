/**
 * Content-Disposition for a stored file: `inline` for what browsers show (images, audio, video,
 * stickers), `attachment` for documents, with the name sanitised twice over: an ASCII `filename=`
 * for old clients and an RFC 5987 `filename*=UTF-8''…` with the real name.
 */
export function contentDisposition(kind: string, filename: string | null, fallback: string): string {
  const type = kind === 'document' ? 'attachment' : 'inline';
  const name = sanitizeFilename(filename) ?? fallback;
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return ascii === name
    ? `${type}; filename="${ascii}"`
    : `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * The last path segment of a name a customer or agent chose, without control characters, quotes or
 * separators, at most 150 characters (extension kept); null when nothing usable is left.
 */
export function sanitizeFilename(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const base = raw.split(/[/\\]/).pop() ?? '';
  let name = base
    // eslint-disable-next-line no-control-regex -- control characters are what this removes
    .replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '')
    .trim()
    .replace(/^\.+/, '');
  if (name.length > 150) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
    name = name.slice(0, 150 - ext.length) + ext;
  }
  return name || null;
}

/** A default name from the kind and type, e.g. `image.jpg`. */
export function defaultFilename(kind: string, mimeType: string): string {
  const base = (mimeType.split(';')[0] ?? '').trim().toLowerCase();
  const ext: Record<string, string> = {
    'image/jpeg': 'jpg',
    'image/png': 'png',
    'image/webp': 'webp',
    'video/mp4': 'mp4',
    'video/3gpp': '3gp',
    'audio/ogg': 'ogg',
    'audio/mpeg': 'mp3',
    'audio/mp4': 'm4a',
    'audio/aac': 'aac',
    'audio/amr': 'amr',
    'application/pdf': 'pdf',
    'text/plain': 'txt',
  };
  return `${kind}.${ext[base] ?? 'bin'}`;
}
