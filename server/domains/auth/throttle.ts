import { TRPCError } from '@trpc/server';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

export interface BucketRule {
  /** Tokens (attempts) refilled per second. */
  rate: number;
  burst: number;
}

/**
 * Sign-ups and reset requests per client address and account. Sign-in attempts are throttled in the
 * database by app_public.log_in, which counts failures only.
 */
export const loginRules = {
  perIp: { rate: 30 / 600, burst: 30 }, // 30 per 10 minutes
  resetPerAccount: { rate: 3 / 3600, burst: 3 }, // 3 per hour
} satisfies Record<string, BucketRule>;

export async function takeToken(db: CommonQueryMethods, key: string, rule: BucketRule): Promise<boolean> {
  return db.oneFirst(
    sql.type(
      z.object({ taken: z.boolean() }),
    )`select app_public.take_tokens(${key}, ${rule.rate}, ${rule.burst}, 1) as taken`,
  );
}

/** Takes one token from every bucket (all are charged, so hammering one key also drains the other). */
export async function throttle(
  db: CommonQueryMethods,
  buckets: [key: string, rule: BucketRule][],
  message: string,
) {
  const results = await Promise.all(buckets.map(([key, rule]) => takeToken(db, key, rule)));
  if (results.includes(false)) throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message });
}
