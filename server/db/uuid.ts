import { randomFillSync } from 'node:crypto';

// Random bytes are drawn 2 KiB at a time (as Node's randomUUID does): one system call per 128 ids
// instead of one per id, which ingest makes for every webhook.
const random = Buffer.alloc(16 * 128);
let used = random.length;

/** A time-ordered RFC 9562 version 7 uuid, made in the server so batched inserts know their ids up front. */
export function uuidv7(now = Date.now()): string {
  if (used === random.length) {
    randomFillSync(random);
    used = 0;
  }
  const bytes = random.subarray(used, (used += 16));
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
