/**
 * Token buckets keyed by string (a phone number, or a phone number → customer pair). A bucket starts full,
 * holds `capacity` tokens and refills continuously; a send takes one token or is refused.
 */
export function createTokenBuckets(now: () => number) {
  const buckets = new Map<string, { tokens: number; updatedAt: number }>();

  return {
    take(key: string, capacity: number, refillPerMs: number): boolean {
      const at = now();
      const bucket = buckets.get(key) ?? { tokens: capacity, updatedAt: at };
      bucket.tokens = Math.min(capacity, bucket.tokens + Math.max(0, at - bucket.updatedAt) * refillPerMs);
      bucket.updatedAt = at;
      buckets.set(key, bucket);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
  };
}

export interface SendLimits {
  throughputPerSecond: number;
  pairRate: { burst: number; intervalMs: number };
}

/** Meta's two send limits: per-number throughput (130429) and per-recipient pair rate (131056). */
export function createSendLimiter(now: () => number) {
  const perNumber = createTokenBuckets(now);
  const perPair = createTokenBuckets(now);
  /** Sends refused so far, by Meta's code: what a well-paced sender never sees. */
  const refusals = { 130429: 0, 131056: 0 };

  return {
    refusals: () => ({ ...refusals }),
    check(phoneNumberId: string, recipient: string, limits: SendLimits): 'ok' | 'throughput' | 'pair-rate' {
      const { throughputPerSecond, pairRate } = limits;
      if (!perNumber.take(phoneNumberId, throughputPerSecond, throughputPerSecond / 1000)) {
        refusals[130429] += 1;
        return 'throughput';
      }
      if (!perPair.take(`${phoneNumberId}:${recipient}`, pairRate.burst, 1 / pairRate.intervalMs)) {
        refusals[131056] += 1;
        return 'pair-rate';
      }
      return 'ok';
    },
  };
}
