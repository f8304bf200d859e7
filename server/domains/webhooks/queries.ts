import { sql } from 'slonik';
import { z } from 'zod';
import { eventDetailSchema, eventSchema, type EventFilter } from './schemas.ts';

/** The webhook log's SQL (what processing writes is in processing/queries.ts). */

const eventColumns = sql.fragment`
  id, delivery_id as "deliveryId", field, summary, status, error, created_at as "createdAt"
`;

/** The filter's conditions, only those given (true when none is), joined with `and`. */
function where(filter: EventFilter & { before?: string | undefined; eventIds?: string[] | undefined }) {
  const conditions = [sql.fragment`true`];
  if (filter.status) conditions.push(sql.fragment`status = ${filter.status}`);
  if (filter.field) conditions.push(sql.fragment`field = ${filter.field}`);
  if (filter.from) conditions.push(sql.fragment`created_at >= ${filter.from}::timestamptz`);
  if (filter.to) conditions.push(sql.fragment`created_at < ${filter.to}::timestamptz`);
  if (filter.before) {
    conditions.push(sql.fragment`(delivery_id, change_index) < (
      select delivery_id, change_index from app_public.webhook_events where id = ${filter.before})`);
  }
  if (filter.eventIds) conditions.push(sql.fragment`id = any (${sql.array(filter.eventIds, 'uuid')})`);
  return sql.join(conditions, sql.fragment` and `);
}

/** A page of events matching the filter, newest first, older than the event `before`. */
export const events = (filter: EventFilter & { before?: string | undefined }, limit: number) =>
  sql.type(eventSchema)`
    select ${eventColumns}
    from app_public.webhook_events
    where ${where(filter)}
    -- Deliveries' ids are time-ordered at arrival, so this is the order Meta sent things in.
    order by delivery_id desc, change_index desc
    limit ${limit}
  `;

export const eventById = (id: string) => sql.type(eventDetailSchema)`
  select ${eventColumns}, payload
  from app_public.webhook_events where id = ${id}
`;

/**
 * Marks for replay, at most `batch` of the deliveries behind the matching events (none already queued
 * or running): the marked ids, and how many more a further call would mark.
 */
export const markReplay = (filter: EventFilter & { eventIds?: string[] | undefined }, batch: number) =>
  sql.type(z.object({ id: z.string().nullable(), remaining: z.number() }))`
    select id, remaining from app_public.mark_webhook_replay(
      array(
        select distinct delivery_id from app_public.webhook_events
        where ${where(filter)}
        order by delivery_id
        limit 20000
      ),
      ${batch}
    )
  `;
