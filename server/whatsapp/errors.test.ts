import { describe, expect, it } from 'vitest';
import { classifyGraphError, GraphApiError, graphErrorCodes, type GraphErrorKind } from './errors.ts';
import { fixture, fixtureNames } from '../test/whatsapp.ts';

interface Expectation {
  httpStatus: number;
  code: number;
  subcode: number | null;
  kind: GraphErrorKind;
  retryable: boolean;
}

// HTTP statuses from the fixtures README; kinds and retry policy from DESIGN.md (WhatsApp, Outbound).
const expectations: Record<string, Expectation> = {
  '100.json': { httpStatus: 400, code: 100, subcode: null, kind: 'bad-request', retryable: false },
  '130429.json': { httpStatus: 400, code: 130429, subcode: null, kind: 'throttled', retryable: true },
  '131026.json': { httpStatus: 400, code: 131026, subcode: null, kind: 'undeliverable', retryable: false },
  '131047.json': { httpStatus: 400, code: 131047, subcode: null, kind: 'window-closed', retryable: false },
  '131048.json': { httpStatus: 400, code: 131048, subcode: null, kind: 'policy', retryable: false },
  '131049.json': { httpStatus: 400, code: 131049, subcode: null, kind: 'undeliverable', retryable: false },
  '131053.json': { httpStatus: 400, code: 131053, subcode: null, kind: 'media', retryable: false },
  '131056.json': { httpStatus: 400, code: 131056, subcode: null, kind: 'throttled', retryable: true },
  '132000.json': { httpStatus: 400, code: 132000, subcode: null, kind: 'template', retryable: false },
  '190-expired-token.json': { httpStatus: 401, code: 190, subcode: 463, kind: 'auth', retryable: false },
  '368.json': { httpStatus: 403, code: 368, subcode: null, kind: 'policy', retryable: false },
  '80007.json': { httpStatus: 400, code: 80007, subcode: null, kind: 'throttled', retryable: true },
};

type ErrorFixture = {
  error: { message: string; type: string; fbtrace_id: string; error_data?: { details: string } };
};

describe('GraphApiError from every fixture in graph/errors', () => {
  it('has an expectation for every fixture file', () => {
    expect(fixtureNames('graph/errors')).toEqual(Object.keys(expectations).sort());
  });

  it.each(Object.entries(expectations))('%s', (file, expected) => {
    const body = fixture<ErrorFixture>(`graph/errors/${file}`);
    const error = GraphApiError.fromResponse(expected.httpStatus, body);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(GraphApiError);
    expect(error).toMatchObject({
      name: 'GraphApiError',
      httpStatus: expected.httpStatus,
      code: expected.code,
      subcode: expected.subcode,
      kind: expected.kind,
      retryable: expected.retryable,
      type: body.error.type,
      fbtraceId: body.error.fbtrace_id,
      message: body.error.message,
      details: body.error.error_data?.details ?? null,
    });
    expect(error.hint.length).toBeGreaterThan(10);
  });
});

describe('retry policy', () => {
  it('retries only throttling and transient failures', () => {
    for (const code of [130429, 131056, 80007]) {
      expect(classifyGraphError({ code, httpStatus: 400 }).retryable).toBe(true);
    }
    for (const code of [131047, 131026, 368, 131048, 190]) {
      expect(classifyGraphError({ code, httpStatus: 400 }).retryable).toBe(false);
    }
    // A known final code stays final even behind a 5xx.
    expect(classifyGraphError({ code: 131047, httpStatus: 500 }).retryable).toBe(false);
  });

  it('treats 5xx and 429 without a known code as transient/throttled', () => {
    expect(classifyGraphError({ code: 999999, httpStatus: 503 })).toMatchObject({
      kind: 'transient',
      retryable: true,
    });
    expect(classifyGraphError({ code: null, httpStatus: 502 })).toMatchObject({
      kind: 'transient',
      retryable: true,
    });
    expect(classifyGraphError({ httpStatus: 429 })).toMatchObject({ kind: 'throttled', retryable: true });
    expect(classifyGraphError({ code: 999999, httpStatus: 400 })).toMatchObject({
      kind: 'unknown',
      retryable: false,
    });
  });

  it('separates an expired token (subcode 463) from an invalid one, both final', () => {
    const expired = classifyGraphError({ code: 190, subcode: 463, httpStatus: 401 });
    const invalid = classifyGraphError({ code: 190, httpStatus: 401 });
    expect(expired).toMatchObject({ kind: 'auth', retryable: false });
    expect(invalid).toMatchObject({ kind: 'auth', retryable: false });
    expect(expired.hint).toMatch(/expired/i);
    expect(expired.hint).not.toBe(invalid.hint);
  });

  it('maps the permission range and the documented codes', () => {
    expect(classifyGraphError({ code: 299, httpStatus: 403 }).kind).toBe('auth');
    expect(graphErrorCodes[131047]?.kind).toBe('window-closed');
    expect(graphErrorCodes[132001]?.kind).toBe('template');
  });

  it('makes timeouts and network failures transient and retryable, with no Graph code', () => {
    for (const type of ['TimeoutError', 'NetworkError'] as const) {
      const error = GraphApiError.transport(type, 'no answer');
      expect(error).toMatchObject({ type, code: null, httpStatus: 0, kind: 'transient', retryable: true });
    }
  });

  it('tolerates bodies that are not Meta error bodies', () => {
    for (const body of [undefined, 'Bad gateway', { message: 'nope' }, { error: 'string' }]) {
      const error = GraphApiError.fromResponse(502, body);
      expect(error).toMatchObject({ code: null, httpStatus: 502, kind: 'transient', retryable: true });
    }
  });

  it('serialises to plain data with the classification', () => {
    const error = GraphApiError.fromResponse(400, fixture('graph/errors/131056.json'));
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'GraphApiError',
      message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
      httpStatus: 400,
      code: 131056,
      subcode: null,
      type: 'OAuthException',
      fbtraceId: 'AbCdEf131056',
      details:
        'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
      retryable: true,
      kind: 'throttled',
      hint: error.hint,
    });
  });
});
