import { z } from 'zod';

/**
 * Meta error codes → what Parley does about them. Branch on `code` (and `error_subcode`), never on the HTTP
 * status or the message text (Meta "Cloud API error codes": titles inside `message` will be deprecated).
 * Only throttling and transient failures are retried; everything else needs a person or a different message.
 */

export type GraphErrorKind =
  | 'throttled'
  | 'transient'
  | 'window-closed'
  | 'undeliverable'
  | 'auth'
  | 'policy'
  | 'bad-request'
  | 'media'
  | 'template'
  | 'unknown';

export interface GraphErrorClass {
  retryable: boolean;
  kind: GraphErrorKind;
  hint: string;
}

const throttled = (hint: string): GraphErrorClass => ({ retryable: true, kind: 'throttled', hint });
const transient = (hint: string): GraphErrorClass => ({ retryable: true, kind: 'transient', hint });
const final = (kind: GraphErrorKind, hint: string): GraphErrorClass => ({ retryable: false, kind, hint });

export const graphErrorCodes: Readonly<Record<number, GraphErrorClass>> = Object.freeze({
  // Throttling: wait, then retry with backoff.
  4: throttled('App-level API call limit reached; slow down and retry with backoff.'),
  80007: throttled('WhatsApp Business Account rate limit reached; retry with backoff.'),
  130429: throttled('Phone number throughput (messages per second) reached; retry with backoff.'),
  131056: throttled(
    'Pair rate limit: too many messages to this recipient in a short time; retry this recipient later.',
  ),
  // Transient platform trouble.
  2: transient('Graph API temporarily unavailable; retry with backoff.'),
  131000: transient('Meta failed to send for an unknown reason; retry with backoff.'),
  131016: transient('Service temporarily unavailable; retry with backoff.'),
  131057: transient('Phone number in maintenance (throughput upgrade); retry in a minute.'),
  133004: transient('Server temporarily unavailable; retry with backoff.'),
  // The 24-hour customer-service window.
  131047: final(
    'window-closed',
    'More than 24 hours since the customer last wrote: only an approved template can be sent.',
  ),
  // Recipient problems.
  131026: final(
    'undeliverable',
    'Recipient cannot receive this message (not on WhatsApp, old app, or has not accepted terms).',
  ),
  131049: final(
    'undeliverable',
    'Meta held back this marketing message to protect engagement; do not retry right away.',
  ),
  131050: final('undeliverable', 'The customer stopped marketing messages from this business.'),
  131021: final('bad-request', 'The recipient is the sending phone number itself.'),
  // Account and policy enforcement.
  368: final('policy', 'Account temporarily blocked for policy violations; see Business Support.'),
  131048: final(
    'policy',
    'Spam rate limit: this number is restricted because of low quality; do not retry automatically.',
  ),
  130497: final('policy', 'The business account may not message users in this country.'),
  131031: final('policy', 'The business account is locked; see Business Support.'),
  131042: final('policy', 'Payment problem on the WhatsApp Business Account; fix the payment method.'),
  133010: final('policy', 'The phone number is not registered with Cloud API.'),
  // Authorisation.
  0: final('auth', 'Authentication failed; reconnect the channel.'),
  3: final('auth', 'The app lacks the capability for this call.'),
  10: final('auth', 'Permission denied for this object; check the token’s WABA assignment.'),
  190: final('auth', 'Access token invalid or expired; reconnect the channel with a new token.'),
  200: final('auth', 'Permission missing on the access token (e.g. whatsapp_business_messaging).'),
  131005: final('auth', 'Access denied for this phone number or WABA.'),
  131045: final('auth', 'Phone number registration certificate problem; re-register the number.'),
  // Malformed requests: fix the request, do not retry.
  100: final('bad-request', 'Invalid parameter; fix the request (see details).'),
  33: final('bad-request', 'Object does not exist or the token cannot see it (wrong id?).'),
  131008: final('bad-request', 'A required parameter is missing.'),
  131009: final('bad-request', 'A parameter value is not valid.'),
  131051: final('bad-request', 'Unsupported message type.'),
  135000: final('bad-request', 'Generic user error; check the request.'),
  // Media.
  131052: final('media', 'Meta could not download the media the customer sent.'),
  131053: final('media', 'Meta could not use the uploaded media; check type and size limits.'),
  // Templates.
  132000: final('template', 'Template parameter count does not match the template.'),
  132001: final('template', 'Template does not exist in this language, or is not approved.'),
  132005: final('template', 'Template text too long once parameters are filled in.'),
  132007: final('template', 'Template content violates WhatsApp policy.'),
  132012: final('template', 'Template parameter format does not match the template.'),
  132015: final('template', 'Template is paused for low quality.'),
  132016: final('template', 'Template is disabled for low quality.'),
});

const expiredTokenSubcodes = new Set([463, 467]);

/** Classifies a Graph error by code (and subcode); falls back to the HTTP status for codes not in the table. */
export function classifyGraphError(input: {
  code?: number | null;
  subcode?: number | null;
  httpStatus?: number;
}): GraphErrorClass {
  const { code, subcode, httpStatus = 0 } = input;
  if (code === 190 && subcode != null && expiredTokenSubcodes.has(subcode)) {
    return final('auth', 'Access token expired; mark the channel as needing re-authorisation.');
  }
  if (code != null) {
    const known = graphErrorCodes[code];
    if (known) return known;
    // Permission errors are a documented range (#200-#299).
    if (code >= 200 && code <= 299) return final('auth', 'Permission missing on the access token.');
  }
  if (httpStatus === 429) return throttled('HTTP 429 from Graph API; retry with backoff.');
  if (httpStatus >= 500) return transient(`HTTP ${httpStatus} from Graph API; retry with backoff.`);
  return final('unknown', 'Unrecognised Graph API error; see details and fbtrace_id.');
}

/** Meta's error body: `{ error: { message, type, code, error_subcode, error_data: { details }, fbtrace_id } }`. */
export const graphErrorBodySchema = z.object({
  error: z.object({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number().int().optional(),
    error_subcode: z.number().int().optional(),
    error_data: z
      .union([z.object({ details: z.string().optional() }).loose(), z.string()])
      .optional()
      .catch(undefined),
    fbtrace_id: z.string().optional(),
  }),
});

export interface GraphApiErrorFields {
  message: string;
  httpStatus: number;
  /** Meta's error code; null when no Graph error body arrived (timeout, network, non-JSON reply). */
  code: number | null;
  subcode?: number | null;
  type: string;
  fbtraceId?: string | null;
  details?: string | null;
  /** Overrides the table: used for timeouts and network failures. */
  classification?: GraphErrorClass;
}

export class GraphApiError extends Error {
  override readonly name = 'GraphApiError';
  readonly httpStatus: number;
  readonly code: number | null;
  readonly subcode: number | null;
  readonly type: string;
  readonly fbtraceId: string | null;
  readonly details: string | null;
  readonly retryable: boolean;
  readonly kind: GraphErrorKind;
  readonly hint: string;

  constructor(fields: GraphApiErrorFields) {
    super(fields.message);
    this.httpStatus = fields.httpStatus;
    this.code = fields.code;
    this.subcode = fields.subcode ?? null;
    this.type = fields.type;
    this.fbtraceId = fields.fbtraceId ?? null;
    this.details = fields.details ?? null;
    const classification =
      fields.classification ??
      classifyGraphError({ code: fields.code, subcode: this.subcode, httpStatus: fields.httpStatus });
    this.retryable = classification.retryable;
    this.kind = classification.kind;
    this.hint = classification.hint;
  }

  /** Builds the error from a non-2xx Graph response; tolerates bodies that are not Meta's shape. */
  static fromResponse(httpStatus: number, body: unknown): GraphApiError {
    const parsed = graphErrorBodySchema.safeParse(body);
    if (!parsed.success) {
      return new GraphApiError({
        message: `Graph API responded ${httpStatus} without an error body`,
        httpStatus,
        code: null,
        type: 'HttpError',
      });
    }
    const { error } = parsed.data;
    const details = typeof error.error_data === 'string' ? error.error_data : error.error_data?.details;
    return new GraphApiError({
      message: error.message ?? `Graph API error ${error.code ?? httpStatus}`,
      httpStatus,
      code: error.code ?? null,
      subcode: error.error_subcode ?? null,
      type: error.type ?? 'GraphError',
      fbtraceId: error.fbtrace_id ?? null,
      details: details ?? null,
    });
  }

  /** A request that never got a Graph answer: always transient, always worth a retry. */
  static transport(type: 'TimeoutError' | 'NetworkError', message: string): GraphApiError {
    return new GraphApiError({
      message,
      httpStatus: 0,
      code: null,
      type,
      classification: transient(
        type === 'TimeoutError'
          ? 'Graph API did not answer in time; retry with backoff (the send may have happened).'
          : 'Could not reach Graph API; retry with backoff.',
      ),
    });
  }

  /** Plain data for logs and job results; carries no request data (URLs, headers, tokens). */
  toJSON() {
    return {
      name: this.name,
      message: this.message,
      httpStatus: this.httpStatus,
      code: this.code,
      subcode: this.subcode,
      type: this.type,
      fbtraceId: this.fbtraceId,
      details: this.details,
      retryable: this.retryable,
      kind: this.kind,
      hint: this.hint,
    };
  }
}
