import { randomFillSync } from 'node:crypto';

// Random bytes are drawn 2 KiB at a time (as Node's randomUUID does): one system call per 128 ids
// instead of one per id, which ingest makes for every webhook.
const random = Buffer.alloc(16 * 128);
let used = random.length;

/** A time-ordered RFC 9562 version 7 uuid, made in the server so batched inserts know their ids up front. */
// Ids made in the same millisecond count up in rand_a (RFC 9562 §6.2, method 1), so a batch's rows keep
// the order they were made in (a thread orders same-second messages by id).
let lastMs = -1;
let sequence = 0;

export function uuidv7(now = Date.now()): string {
  if (used === random.length) {
    randomFillSync(random);
    used = 0;
  }
  const bytes = random.subarray(used, (used += 16));
  let ms = now;
  if (ms <= lastMs) {
    ms = lastMs;
    sequence++;
    if (sequence > 0xfff) {
      ms = ++lastMs;
      sequence = 0;
    }
  } else {
    lastMs = ms;
    sequence = 0;
  }
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
