import { createHash } from 'node:crypto';

/**
 * Deterministic ids: the same seed and the same sequence of calls give the same wamids, media ids and
 * template ids, so simulator runs (tests, benchmarks) can be replayed and compared. Ids are drawn only
 * in request handlers and direct calls, never when a timer fires, so timing cannot reorder them.
 */
export function createIdSource(seed: number | string) {
  let counter = 0;
  let pool = Buffer.alloc(0);

  function bytes(count: number): Buffer {
    while (pool.length < count) {
      const block = createHash('sha256').update(`${seed}:${counter++}`).digest();
      pool = Buffer.concat([pool, block]);
    }
    const taken = pool.subarray(0, count);
    pool = pool.subarray(count);
    return Buffer.from(taken);
  }

  function digits(count: number): string {
    return Array.from(bytes(count), (byte) => String(byte % 10)).join('');
  }

  function hex(length: number): string {
    return bytes(Math.ceil(length / 2))
      .toString('hex')
      .slice(0, length);
  }

  return {
    hex,
    digits,

    /**
     * Shaped like Meta's: base64 of a small protobuf-like record holding the customer's number, the
     * direction (0x11 business → customer, 0x12 customer → business) and a random key.
     */
    wamid(waId: string, direction: 'outbound' | 'inbound'): string {
      const recipient = Buffer.from(waId, 'latin1');
      const key = Buffer.from(
        direction === 'outbound' ? hex(18).toUpperCase() : `3EB0${hex(16).toUpperCase()}`,
      );
      const record = Buffer.concat([
        Buffer.from([0x1c, 0x18, recipient.length]),
        recipient,
        Buffer.from([0x15, 0x02, 0x00, direction === 'outbound' ? 0x11 : 0x12, 0x18, key.length]),
        key,
        Buffer.from([0x00]),
      ]);
      return `wamid.${record.toString('base64')}`;
    },

    /** 16 digits, like Meta's media ids. */
    mediaId: () => `1${digits(15)}`,
    /** 15 digits: still a safe integer, as the template status webhook sends it as a JSON number. */
    templateId: () => `9${digits(14)}`,
    conversationId: () => hex(32),
    fbtraceId: () => bytes(9).toString('base64url'),
    /** Key for signing media download URLs. */
    secret: () => bytes(32),
  };
}

export type IdSource = ReturnType<typeof createIdSource>;
