import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { z } from 'zod';
import { GraphApiError } from './errors.ts';
import {
  createTemplateResponseSchema,
  debugTokenResponseSchema,
  mediaUploadResponseSchema,
  mediaUrlResponseSchema,
  phoneNumberSchema,
  phoneNumbersPageSchema,
  sendMessageResponseSchema,
  successResponseSchema,
  templateCreateSchema,
  templatesPageSchema,
  type MediaUrl,
  type PhoneNumber,
  type Template,
  type TemplateCreate,
} from './graph-schemas.ts';
import { checkMediaUpload, checkMediaUploadSize } from './media-limits.ts';
import { describePayloadProblem, outboundMessageSchema, type OutboundMessage } from './message-payloads.ts';

/** Graph API version used when a channel does not pin one (Meta changelog: v25.0, February 2026). */
export const defaultGraphApiVersion = 'v25.0';

export interface GraphClientOptions {
  /** `https://graph.facebook.com`, or the simulator's URL. */
  baseUrl: string;
  apiVersion?: string;
  accessToken: string;
  /** Per request; JSON calls. */
  timeoutMs?: number;
  /** Per request; media upload and download move up to 100 MB. */
  mediaTimeoutMs?: number;
  fetch?: typeof fetch;
  /** Receives method, path (never the query string), status and duration; never headers or tokens. */
  logger?: { debug(object: object, message: string): void };
}

export interface SendMessageResult {
  wamid: string;
  /** Template pacing status (`accepted`, `held_for_quality_assessment`, `paused`); templates only. */
  messageStatus?: string;
  contacts: { input: string; wa_id?: string }[];
}

/** A file to upload: its bytes, or its size, first bytes and a stream of all of them (not held in memory). */
export type MediaUploadInput = { mimeType: string; filename: string } & (
  { bytes: Uint8Array } | { size: number; head: Uint8Array; chunks: () => AsyncIterable<Uint8Array> }
);

export interface TemplatePage {
  data: Template[];
  /** Pass as `after` to fetch the next page; absent on the last page. */
  nextCursor?: string;
}

export interface TokenCheck {
  valid: boolean;
  /** null: the token never expires (system user tokens). */
  expiresAt: Date | null;
  scopes: string[];
  /** WABAs the token may manage or message, from granular scopes. */
  wabaIds: string[];
  appId?: string;
  type?: string;
  problem?: string;
}

interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  form?: FormData;
  stream?: { contentType: string; length: number; body: ReadableStream<Uint8Array> };
  timeoutMs?: number;
}

/**
 * A multipart/form-data body (RFC 7578; names escaped as browsers do) with the file's bytes streamed
 * between its header and the closing boundary; its length is known, so Graph gets a Content-Length.
 */
function multipartUpload(media: MediaUploadInput) {
  const boundary = `----ParleyUpload${randomBytes(12).toString('hex')}`;
  const escape = (value: string) => value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const field = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head = Buffer.from(
    field('messaging_product', 'whatsapp') +
      field('type', media.mimeType) +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${escape(media.filename)}"\r\n` +
      `Content-Type: ${media.mimeType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const size = 'chunks' in media ? media.size : media.bytes.byteLength;
  async function* parts(): AsyncGenerator<Uint8Array> {
    yield head;
    if ('chunks' in media) {
      let sent = 0;
      for await (const chunk of media.chunks()) {
        sent += chunk.byteLength;
        yield chunk;
      }
      // A Content-Length that does not match what was sent would be cut or hang at Meta's end.
      if (sent !== size) throw new Error(`the stored file has ${sent} bytes, not ${size}`);
    } else yield media.bytes;
    yield tail;
  }
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: head.length + size + tail.length,
    body: Readable.toWeb(Readable.from(parts())) as ReadableStream<Uint8Array>,
  };
}

export type GraphClient = ReturnType<typeof createGraphClient>;

export function createGraphClient(options: GraphClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const apiVersion = options.apiVersion ?? defaultGraphApiVersion;
  const token = options.accessToken;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const mediaTimeoutMs = options.mediaTimeoutMs ?? 120_000;
  const doFetch = options.fetch ?? fetch;
  const baseOrigin = new URL(baseUrl).origin;

  // Belt and braces: Meta does not echo tokens, but nothing that leaves this module may carry one.
  const redact = (text: string) => (token ? text.replaceAll(token, '[redacted]') : text);

  async function exchange(
    method: string,
    url: URL,
    logPath: string,
    init: { body?: BodyInit; headers?: Record<string, string>; timeoutMs: number },
  ): Promise<{ response: Response; body: Buffer }> {
    const started = performance.now();
    try {
      const response = await doFetch(url, {
        method,
        headers: { authorization: `Bearer ${token}`, ...init.headers },
        body: init.body ?? null,
        signal: AbortSignal.timeout(init.timeoutMs),
        // A streamed body (media upload) is sent as it is read (fetch requires saying so).
        ...(init.body instanceof ReadableStream ? { duplex: 'half' } : {}),
      });
      const body = Buffer.from(await response.arrayBuffer());
      options.logger?.debug(
        { method, path: logPath, status: response.status, ms: Math.round(performance.now() - started) },
        'graph request',
      );
      return { response, body };
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw GraphApiError.transport(
          'TimeoutError',
          `Graph API ${method} ${logPath} timed out after ${init.timeoutMs} ms`,
        );
      }
      throw GraphApiError.transport(
        'NetworkError',
        redact(`Graph API ${method} ${logPath} failed: ${describeTransportError(error)}`),
      );
    }
  }

  function errorFrom(status: number, body: Buffer): GraphApiError {
    let parsed: unknown;
    try {
      parsed = JSON.parse(redact(body.toString('utf8')));
    } catch {
      parsed = undefined;
    }
    return GraphApiError.fromResponse(status, parsed);
  }

  async function request<S extends z.ZodType>(
    schema: S,
    method: string,
    path: string,
    requestOptions: RequestOptions = {},
  ): Promise<z.output<S>> {
    const logPath = `/${apiVersion}/${path}`;
    const url = new URL(`${baseUrl}${logPath}`);
    for (const [key, value] of Object.entries(requestOptions.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const init: { body?: BodyInit; headers?: Record<string, string>; timeoutMs: number } = {
      timeoutMs: requestOptions.timeoutMs ?? timeoutMs,
    };
    if (requestOptions.json !== undefined) {
      init.body = JSON.stringify(requestOptions.json);
      init.headers = { 'content-type': 'application/json' };
    } else if (requestOptions.form) {
      init.body = requestOptions.form;
    } else if (requestOptions.stream) {
      init.body = requestOptions.stream.body;
      init.headers = {
        'content-type': requestOptions.stream.contentType,
        'content-length': String(requestOptions.stream.length),
      };
    }
    const { response, body } = await exchange(method, url, logPath, init);
    if (!response.ok) throw errorFrom(response.status, body);

    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw invalidResponse(
        response.status,
        `Graph API ${method} ${logPath} returned a body that is not JSON`,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw invalidResponse(
        response.status,
        `Graph API ${method} ${logPath} returned an unexpected shape: ${describePayloadProblem(parsed.error)}`,
      );
    }
    return parsed.data;
  }

  async function listTemplates(
    wabaId: string,
    page: { after?: string; limit?: number; fields?: string } = {},
  ): Promise<TemplatePage> {
    const result = await request(templatesPageSchema, 'GET', `${wabaId}/message_templates`, {
      query: { limit: page.limit, after: page.after, fields: page.fields },
    });
    const nextCursor = result.paging?.next ? result.paging.cursors?.after : undefined;
    return nextCursor ? { data: result.data, nextCursor } : { data: result.data };
  }

  return {
    apiVersion,

    async sendMessage(phoneNumberId: string, payload: OutboundMessage): Promise<SendMessageResult> {
      const parsed = outboundMessageSchema.safeParse(payload);
      if (!parsed.success) throw invalidRequest('bad-request', describePayloadProblem(parsed.error));
      const result = await request(sendMessageResponseSchema, 'POST', `${phoneNumberId}/messages`, {
        json: parsed.data,
      });
      const [message] = result.messages;
      if (!message) throw invalidResponse(200, 'Graph API accepted a message without returning its id');
      return {
        wamid: message.id,
        ...(message.message_status ? { messageStatus: message.message_status } : {}),
        contacts: result.contacts,
      };
    },

    /**
     * Marks a customer's message (and the earlier ones) read: blue ticks on their phone. With
     * `typingIndicator` they also see "typing…" for up to 25 seconds (Meta: typing indicators).
     */
    async markRead(phoneNumberId: string, messageId: string, options: { typingIndicator?: boolean } = {}) {
      return request(successResponseSchema, 'POST', `${phoneNumberId}/messages`, {
        json: {
          messaging_product: 'whatsapp',
          status: 'read',
          message_id: messageId,
          ...(options.typingIndicator ? { typing_indicator: { type: 'text' } } : {}),
        },
      });
    },

    /**
     * POST /{phone-number-id}/media: multipart (messaging_product, type, file) as Meta documents it,
     * streamed: a stored file goes from its chunks to Graph without being gathered in memory.
     */
    async uploadMedia(phoneNumberId: string, media: MediaUploadInput): Promise<{ id: string }> {
      const streamed = 'chunks' in media;
      const check = streamed
        ? checkMediaUploadSize(media.mimeType, media.size, media.head)
        : checkMediaUpload(media.mimeType, media.bytes);
      if (!check.ok) throw invalidRequest('media', check.message);
      const body = multipartUpload(media);
      return request(mediaUploadResponseSchema, 'POST', `${phoneNumberId}/media`, {
        stream: body,
        timeoutMs: mediaTimeoutMs,
      });
    },

    /** Short-lived (minutes) download URL for an inbound or uploaded media id. */
    getMediaUrl(mediaId: string): Promise<MediaUrl> {
      return request(mediaUrlResponseSchema, 'GET', mediaId);
    },

    /** Downloads a URL from getMediaUrl with the bearer token; refuses to send the token anywhere else. */
    async downloadMedia(url: string): Promise<{ bytes: Buffer; mimeType: string }> {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        throw invalidRequest('bad-request', 'Media URL is not a valid URL');
      }
      if (target.protocol !== 'https:' && target.origin !== baseOrigin) {
        throw invalidRequest('bad-request', 'Media URL must be https (or on the configured Graph host)');
      }
      const logPath = target.pathname;
      const { response, body } = await exchange('GET', target, logPath, { timeoutMs: mediaTimeoutMs });
      if (!response.ok) throw errorFrom(response.status, body);
      return {
        bytes: body,
        mimeType: response.headers.get('content-type') ?? 'application/octet-stream',
      };
    },

    listTemplates,

    /** Every template of the WABA, page by page. */
    async *iterateTemplates(wabaId: string, page: { limit?: number; fields?: string } = {}) {
      let after: string | undefined;
      do {
        const result = await listTemplates(wabaId, { ...page, ...(after ? { after } : {}) });
        yield* result.data;
        after = result.nextCursor;
      } while (after);
    },

    async createTemplate(
      wabaId: string,
      body: TemplateCreate,
    ): Promise<{ id: string; status: string; category: string }> {
      const parsed = templateCreateSchema.safeParse(body);
      if (!parsed.success) throw invalidRequest('template', describePayloadProblem(parsed.error));
      return request(createTemplateResponseSchema, 'POST', `${wabaId}/message_templates`, {
        json: parsed.data,
      });
    },

    /** Deletes every language of the template `name`, or only the one whose id is `hsmId`. */
    async deleteTemplate(wabaId: string, name: string, hsmId?: string): Promise<{ success: boolean }> {
      return request(successResponseSchema, 'DELETE', `${wabaId}/message_templates`, {
        query: { name, ...(hsmId ? { hsm_id: hsmId } : {}) },
      });
    },

    async listPhoneNumbers(wabaId: string): Promise<PhoneNumber[]> {
      const numbers: PhoneNumber[] = [];
      let after: string | undefined;
      do {
        const page = await request(phoneNumbersPageSchema, 'GET', `${wabaId}/phone_numbers`, {
          query: { after },
        });
        numbers.push(...page.data);
        after = page.paging?.next ? page.paging.cursors?.after : undefined;
      } while (after);
      return numbers;
    },

    getPhoneNumber(phoneNumberId: string): Promise<PhoneNumber> {
      return request(phoneNumberSchema, 'GET', phoneNumberId);
    },

    /** Subscribes this app to the WABA's webhooks (needed once per WABA). */
    subscribeApp(wabaId: string): Promise<{ success: boolean }> {
      return request(successResponseSchema, 'POST', `${wabaId}/subscribed_apps`);
    },

    /** "Test connection": validity, expiry and reach of the token, via GET /debug_token. */
    async checkToken(): Promise<TokenCheck> {
      const { data } = await request(debugTokenResponseSchema, 'GET', 'debug_token', {
        query: { input_token: token },
      });
      const wabaIds = new Set<string>();
      for (const grant of data.granular_scopes) {
        if (grant.scope.startsWith('whatsapp_business_')) {
          for (const id of grant.target_ids ?? []) wabaIds.add(id);
        }
      }
      return {
        valid: data.is_valid,
        expiresAt: data.expires_at ? new Date(data.expires_at * 1000) : null,
        scopes: data.scopes,
        wabaIds: [...wabaIds],
        ...(data.app_id ? { appId: data.app_id } : {}),
        ...(data.type ? { type: data.type } : {}),
        ...(data.error ? { problem: redact(data.error.message) } : {}),
      };
    },
  };
}

function invalidRequest(kind: 'bad-request' | 'media' | 'template', message: string): GraphApiError {
  return new GraphApiError({
    message,
    httpStatus: 0,
    code: null,
    type: 'InvalidRequest',
    classification: { retryable: false, kind, hint: 'Rejected before sending; fix the request.' },
  });
}

function invalidResponse(httpStatus: number, message: string): GraphApiError {
  // Not retryable: the call may have taken effect (a message may have been sent).
  return new GraphApiError({ message, httpStatus, code: null, type: 'InvalidResponse' });
}

/** undici wraps the useful part (ECONNREFUSED, ENOTFOUND…) in `cause`. */
function describeTransportError(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  if (cause && typeof cause === 'object') {
    if (typeof cause.code === 'string') return cause.code;
    if (typeof cause.message === 'string') return cause.message;
  }
  return error.message;
}
