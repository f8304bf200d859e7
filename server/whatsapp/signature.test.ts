import { describe, expect, it } from 'vitest';
import { signWebhookBody, verifyWebhookSignature } from './signature.ts';
import { fixture, fixtureBytes } from '../test/whatsapp.ts';

interface Vector {
  secret: string;
  body?: string;
  body_file?: string;
  header: string;
  expect?: string;
}

const vectors = fixture<{ vectors: Vector[]; invalid: Vector[] }>('signatures.json');
const bytesOf = (vector: Vector) =>
  vector.body_file ? fixtureBytes(vector.body_file) : Buffer.from(vector.body ?? '', 'utf8');

describe('webhook signatures (fixtures/whatsapp/signatures.json)', () => {
  it('has vectors to check', () => {
    expect(vectors.vectors.length).toBeGreaterThanOrEqual(6);
    expect(vectors.invalid.length).toBeGreaterThanOrEqual(4);
  });

  it.each(vectors.vectors.map((vector, index) => [index, vector] as const))(
    'valid vector %i: signs to the expected header and verifies',
    (_index, vector) => {
      const bytes = bytesOf(vector);
      expect(signWebhookBody(vector.secret, bytes)).toBe(vector.header);
      if (vector.body !== undefined) expect(signWebhookBody(vector.secret, vector.body)).toBe(vector.header);
      expect(verifyWebhookSignature(vector.secret, bytes, vector.header)).toBe(true);
    },
  );

  it.each(vectors.invalid.map((vector) => [vector.expect ?? '', vector] as const))(
    'invalid vector rejected: %s',
    (_label, vector) => {
      expect(verifyWebhookSignature(vector.secret, bytesOf(vector), vector.header)).toBe(false);
    },
  );

  it('covers the escaped bytes: re-serialising the parsed body breaks the signature', () => {
    const escaped = vectors.vectors.find((vector) => vector.body?.includes('\\u00e1'));
    expect(escaped?.body).toBeDefined();
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(escaped!.body!)), 'utf8');
    expect(verifyWebhookSignature(escaped!.secret, reserialised, escaped!.header)).toBe(false);
  });

  it('rejects a wrong secret, and missing or malformed headers, without throwing', () => {
    const body = Buffer.from('test');
    const good = signWebhookBody('TEST_APP_SECRET', body);
    expect(verifyWebhookSignature('TEST_APP_SECRET', body, good)).toBe(true);
    expect(verifyWebhookSignature('other secret', body, good)).toBe(false);
    expect(verifyWebhookSignature('', body, signWebhookBody('', body))).toBe(false);
    const malformed = [
      undefined,
      '',
      'sha256=',
      'sha256=abc',
      `sha256=${'z'.repeat(64)}`,
      `${good}00`,
      good.slice(0, -2),
      good.replace('sha256=', 'sha1='),
      `sha256=${'0'.repeat(128)}`,
      'sha256=0c61947b610d4f45e65f3d680e26027121ec2413e77598bcb6cfc6e0d988822',
    ];
    for (const header of malformed) {
      expect(() => verifyWebhookSignature('TEST_APP_SECRET', body, header)).not.toThrow();
      expect(verifyWebhookSignature('TEST_APP_SECRET', body, header)).toBe(false);
    }
  });

  it('accepts surrounding whitespace and upper-case hex of the right digest', () => {
    const body = Buffer.from('test');
    const good = signWebhookBody('TEST_APP_SECRET', body);
    expect(verifyWebhookSignature('TEST_APP_SECRET', body, ` ${good} `)).toBe(true);
    expect(verifyWebhookSignature('TEST_APP_SECRET', body, `sha256=${good.slice(7).toUpperCase()}`)).toBe(
      true,
    );
  });
});
