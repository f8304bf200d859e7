/** One server-sent event as tRPC writes it: `id` for tracked() data, `event` for control messages. */
export interface SseMessage {
  id: string | undefined;
  event: string | undefined;
  data: unknown;
  /** performance.now() when it arrived. */
  receivedAt: number;
}

export interface SseStream {
  /** Every data message received so far (pings and tRPC's control messages left out). */
  readonly messages: SseMessage[];
  /** Control messages (connected, serialized-error, return). */
  readonly control: SseMessage[];
  /** Waits for the first data message (from the start) matching `match`. */
  next(match: (message: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>;
  /** Resolves when the server ended the stream. */
  readonly closed: Promise<void>;
  close(): void;
}

/**
 * Opens a tRPC subscription over real HTTP the way httpSubscriptionLink does (GET with the input in
 * the query, text/event-stream back) and parses the stream: tests and the realtime bench read what a
 * browser would.
 */
export async function openSse(
  baseUrl: string,
  path: string,
  input: unknown,
  auth: { cookie?: string; bearer?: string } = {},
): Promise<SseStream> {
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (auth.cookie) headers.cookie = `parley_session=${auth.cookie}`;
  if (auth.bearer) headers.authorization = `Bearer ${auth.bearer}`;
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await fetch(`${baseUrl}/trpc/${path}${query}`, { headers, signal: controller.signal });
  const messages: SseMessage[] = [];
  const control: SseMessage[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of waiters) waiter();
  };
  if (!response.ok || !response.body) {
    const text = await response.text();
    throw new Error(`subscription refused: ${response.status} ${text}`);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const closed = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon <= 0) continue;
            const key = line.slice(0, colon);
            fields[key] = (fields[key] ? `${fields[key]}\n` : '') + line.slice(colon + 1).replace(/^ /, '');
          }
          if (fields.data === undefined) continue;
          let data: unknown = fields.data;
          try {
            data = JSON.parse(fields.data);
          } catch {
            // not JSON: kept as text
          }
          const message = { id: fields.id, event: fields.event, data, receivedAt: performance.now() };
          if (fields.event === 'ping') continue;
          (fields.event ? control : messages).push(message);
          notify();
        }
      }
    } catch {
      // aborted by close()
    } finally {
      notify();
    }
  })();
  let isClosed = false;
  void closed.then(() => {
    isClosed = true;
    notify();
  });
  return {
    messages,
    control,
    closed,
    close: () => controller.abort(),
    next(match, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (found) {
            finish();
            resolve(found);
          } else if (isClosed) {
            finish();
            reject(new Error(`stream ended; got ${JSON.stringify(messages.concat(control))}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(messages)}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}
