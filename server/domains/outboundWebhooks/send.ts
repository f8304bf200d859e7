import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, isPrivateAddress, refusedAddress } from './ssrf.ts';

export interface SendOutcome {
  ok: boolean;
  status: number | null;
  body: string | null;
  error: string | null;
  durationMs: number;
}

const timeoutMs = 10_000;
const keptBodyChars = 2000;

/**
 * POSTs one signed delivery. Redirects are not followed (a 3xx is a failure: following one could lead
 * to an address the guard refused); the response body is kept only up to 2,000 characters.
 */
export function postDelivery(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { allowPrivate: boolean },
): Promise<SendOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (!options.allowPrivate && isIP(host) && isPrivateAddress(host)) {
      resolve({ ok: false, status: null, body: null, error: refusedAddress(host).message, durationMs: 0 });
      return;
    }
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'Parley-Webhooks/1',
          ...headers,
        },
        lookup: guardedLookup(options.allowPrivate),
        timeout: timeoutMs,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (text.length < keptBodyChars) text += chunk;
        });
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          resolve({
            ok: status >= 200 && status < 300,
            status,
            body: text.slice(0, keptBodyChars) || null,
            error: status >= 200 && status < 300 ? null : `The endpoint answered ${status}.`,
            durationMs: elapsed(),
          });
        });
        response.on('error', (error) =>
          resolve({
            ok: false,
            status: response.statusCode ?? null,
            body: null,
            error: error.message,
            durationMs: elapsed(),
          }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error(`No answer within ${timeoutMs / 1000} s.`)));
    request.on('error', (error) =>
      resolve({ ok: false, status: null, body: null, error: error.message, durationMs: elapsed() }),
    );
    request.end(body);
  });
}
