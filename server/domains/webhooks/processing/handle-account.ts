import { sql } from 'slonik';
import type { Tx } from '../../../db/tx.ts';
import {
  accountUpdateSchema,
  phoneQualitySchema,
  templateUpdateSchema,
} from '../../../whatsapp/webhook-payloads.ts';

export interface RoutedAccount {
  tenantId: string;
  channelId: string;
}

/** Template status, quality and category updates; a template Parley has not seen yet is added. */
export async function handleTemplateChange(
  tx: Tx,
  account: RoutedAccount,
  field: string,
  value: unknown,
): Promise<string> {
  const update = templateUpdateSchema.parse(value);
  const name = update.message_template_name ?? null;
  const language = update.message_template_language ?? null;
  const status = field === 'message_template_status_update' ? (update.event ?? null) : null;
  const category = update.new_category ?? update.message_template_category ?? null;
  const quality = update.new_quality_score ?? null;
  // Meta's words for a rejection (rejection_info.reason) when it gives them, else its reason code.
  const rejection = update.rejection_info as { reason?: string } | undefined;
  const reason = status === 'REJECTED' ? (rejection?.reason ?? update.reason ?? null) : null;
  const updated = await tx.query(sql.unsafe`
    update app_public.templates set
      status = coalesce(${status}, status),
      category = coalesce(${category}, category),
      quality_score = coalesce(${quality}, quality_score),
      rejected_reason = case when ${status}::text is null then rejected_reason else ${reason} end
    where meta_template_id = ${update.message_template_id}
  `);
  if (updated.rowCount === 0 && name && language) {
    await tx.query(sql.unsafe`
      insert into app_public.templates (tenant_id, channel_id, meta_template_id, name, language, category, status, quality_score, rejected_reason)
      values (${account.tenantId}, ${account.channelId}, ${update.message_template_id}, ${name}, ${language},
              ${category}, ${status ?? 'UNKNOWN'}, ${quality}, ${reason})
      on conflict (tenant_id, channel_id, name, language) do update set
        meta_template_id = excluded.meta_template_id,
        status = coalesce(${status}, templates.status),
        category = coalesce(excluded.category, templates.category),
        quality_score = coalesce(excluded.quality_score, templates.quality_score),
        rejected_reason = excluded.rejected_reason
    `);
  }
  const what = status ? `status ${status}` : quality ? `quality ${quality}` : `category ${category}`;
  return `template ${name ?? update.message_template_id} (${language ?? '?'}): ${what}`;
}

/** Meta's high throughput level (Cloud API throughput docs): up to 1,000 messages per second. */
export const highThroughputMps = 1000;

/** Messaging limit tier changes of a phone number (matched by its display number within the account). */
export async function handlePhoneQualityChange(
  tx: Tx,
  account: RoutedAccount,
  value: unknown,
): Promise<string> {
  const update = phoneQualitySchema.parse(value);
  const digits = update.display_phone_number.replace(/\D/g, '');
  await tx.query(sql.unsafe`
    update app_public.phone_numbers set
      messaging_limit_tier = coalesce(${update.current_limit ?? null}, messaging_limit_tier),
      -- Meta raised the number's throughput level (80 → up to 1,000 messages per second): the
      -- sender's bucket for this number follows at once (41-send-limits.sql reads throughput_mps).
      throughput_mps = case when ${update.event ?? null} = 'THROUGHPUT_UPGRADE' then ${highThroughputMps} else throughput_mps end,
      status = coalesce(${update.event ?? null}, status)
    where channel_id = ${account.channelId} and regexp_replace(display_phone_number, '\D', '', 'g') = ${digits}
  `);
  return `phone number ${update.display_phone_number}: ${update.event ?? 'update'} (limit ${update.current_limit ?? 'unchanged'})`;
}

/** Account-level events (violations, restrictions, bans): kept on the channel so admins see them. */
export async function handleAccountUpdate(tx: Tx, account: RoutedAccount, value: unknown): Promise<string> {
  const update = accountUpdateSchema.parse(value);
  await tx.query(sql.unsafe`
    update app_public.channels set
      account_event = ${update.event ?? 'UNKNOWN'},
      account_event_details = ${sql.jsonb(value as never)},
      account_event_at = now()
    where id = ${account.channelId}
  `);
  return `account ${update.event ?? 'update'}${update.phone_number ? ` for ${update.phone_number}` : ''}`;
}
