import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SimulatedToken } from './options.ts';
import type { SimulatorState } from './state.ts';

/**
 * Synchronous Graph API errors exactly as Meta writes them (fixtures/whatsapp/graph/errors): the HTTP
 * status, `(#code) title` messages and `error_data.details` texts come from Meta's error code reference.
 */

export interface GraphErrorReply {
  httpStatus: number;
  code: number;
  message: string;
  subcode?: number;
  details?: string;
  /** OAuthException unless said otherwise; Meta answers unknown objects and paths with GraphMethodException. */
  type?: 'OAuthException' | 'GraphMethodException';
}

export const graphErrors = {
  invalidToken: (): GraphErrorReply => ({
    httpStatus: 401,
    code: 190,
    message: 'Invalid OAuth access token - Cannot parse access token',
  }),
  expiredToken: (expiredAt: number): GraphErrorReply => ({
    httpStatus: 401,
    code: 190,
    subcode: 463,
    message: `Error validating access token: Session has expired on ${new Date(expiredAt).toUTCString()}.`,
  }),
  unknownObject: (method: string, id: string): GraphErrorReply => ({
    httpStatus: 400,
    code: 100,
    subcode: 33,
    type: 'GraphMethodException',
    message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
  }),
  unsupportedRequest: (method: string): GraphErrorReply => ({
    httpStatus: 400,
    code: 100,
    type: 'GraphMethodException',
    message: `Unsupported ${method.toLowerCase()} request.`,
  }),
  invalidParameter: (details: string, subcode?: number): GraphErrorReply => ({
    httpStatus: 400,
    code: 100,
    message: '(#100) Invalid parameter',
    details,
    ...(subcode ? { subcode } : {}),
  }),
  throughput: (): GraphErrorReply => ({
    httpStatus: 400,
    code: 130429,
    message: '(#130429) Rate limit hit',
    details: 'Cloud API message throughput has been reached.',
  }),
  pairRate: (): GraphErrorReply => ({
    httpStatus: 400,
    code: 131056,
    message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
    details:
      'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
  }),
  templateMissing: (name: string, language: string): GraphErrorReply => ({
    httpStatus: 404,
    code: 132001,
    message: '(#132001) Template name does not exist in the translation',
    details: `template name (${name}) does not exist in ${language}`,
  }),
  templateParameters: (component: string, given: number, expected: number): GraphErrorReply => ({
    httpStatus: 400,
    code: 132000,
    message: '(#132000) Number of parameters does not match the expected number of params',
    details: `${component}: number of localizable_params (${given}) does not match the expected number of params (${expected})`,
  }),
  templateParameterFormat: (details: string): GraphErrorReply => ({
    httpStatus: 400,
    code: 132012,
    message: '(#132012) Parameter format does not match format in the created template',
    details,
  }),
  templatePaused: (name: string): GraphErrorReply => ({
    httpStatus: 400,
    code: 132015,
    message: '(#132015) Template is Paused',
    details: `Template ${name} is paused due to low quality, so it cannot be sent in a template message.`,
  }),
  templateDisabled: (name: string): GraphErrorReply => ({
    httpStatus: 400,
    code: 132016,
    message: '(#132016) Template is Disabled',
    details: `Template ${name} has been paused too many times due to low quality and is now permanently disabled.`,
  }),
  mediaUpload: (details: string): GraphErrorReply => ({
    httpStatus: 400,
    code: 131053,
    message: '(#131053) Media upload error',
    details,
  }),
  unknown: (): GraphErrorReply => ({ httpStatus: 500, code: 1, message: 'An unknown error has occurred.' }),
};

/**
 * Meta's error body plus the headers it sends with it: x-fb-trace-id (the body's fbtrace_id) and
 * x-fb-request-id on every Graph answer, and WWW-Authenticate on token errors (code 190), as OAuth 2.0
 * bearer-token errors require (RFC 6750 §3).
 */
export function sendGraphError(reply: FastifyReply, state: SimulatorState, error: GraphErrorReply) {
  const type = error.type ?? 'OAuthException';
  const traceId = state.ids.fbtraceId();
  reply.header('x-fb-trace-id', traceId);
  reply.header('x-fb-request-id', graphRequestId(state));
  if (error.code === 190) {
    reply.header('www-authenticate', `OAuth "Facebook Platform" "invalid_token" "${error.message}"`);
  }
  return reply.code(error.httpStatus).send({
    error: {
      message: error.message,
      type,
      code: error.code,
      ...(error.subcode ? { error_subcode: error.subcode } : {}),
      ...(error.details ? { error_data: { messaging_product: 'whatsapp', details: error.details } } : {}),
      fbtrace_id: traceId,
    },
  });
}

/** Shaped like Meta's x-fb-request-id values (base64url of random bytes). */
export const graphRequestId = (state: SimulatorState) => `A${state.ids.fbtraceId()}${state.ids.hex(6)}`;

/**
 * x-business-use-case-usage as Meta sends it for WhatsApp Business Management calls: per business id,
 * the share (percent) of its rate-limit budget used; the simulator reports a quiet account, or a full
 * one when it has just refused a call for throughput.
 */
export function businessUseCaseUsage(wabaId: string, throttled: boolean): string {
  const used = throttled ? 100 : 1;
  return JSON.stringify({
    [wabaId]: [
      {
        type: 'whatsapp',
        call_count: used,
        total_cputime: used,
        total_time: used,
        estimated_time_to_regain_access: throttled ? 1 : 0,
      },
    ],
  });
}

/** Bearer header or `access_token` query parameter, as Graph accepts both. */
export function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^Bearer\s+/i.test(header))
    return header.replace(/^Bearer\s+/i, '').trim();
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.access_token === 'string' ? query.access_token : undefined;
}

/** The caller's token, or undefined after replying 401 (code 190) the way Meta does. */
export function authenticate(
  request: FastifyRequest,
  reply: FastifyReply,
  state: SimulatorState,
): SimulatedToken | undefined {
  const presented = presentedToken(request);
  const token = presented ? state.token(presented) : undefined;
  if (!token) {
    void sendGraphError(reply, state, graphErrors.invalidToken());
    return undefined;
  }
  if (token.expiresAt !== undefined && token.expiresAt <= state.now()) {
    void sendGraphError(reply, state, graphErrors.expiredToken(token.expiresAt));
    return undefined;
  }
  return token;
}

export const mayUse = (token: SimulatedToken, wabaId: string) => token.wabaIds.includes(wabaId);
