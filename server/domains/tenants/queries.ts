import { sql } from 'slonik';
import { z } from 'zod';

/** The active workspace with its plan and seat use: the row of currentTenant(), and tenant.current's output. */
export const currentTenantSchema = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  status: z.enum(['active', 'suspended']),
  createdAt: z.string(),
  plan: z.object({
    id: z.string(),
    name: z.string(),
    messagesPerMinute: z.number(),
    monthlyConversations: z.number(),
    seats: z.number(),
    channels: z.number(),
    seatsUsed: z.number(),
  }),
});

export const currentTenant = () => sql.type(currentTenantSchema)`
  select t.id, t.name, t.slug, t.status, t.created_at as "createdAt",
         json_build_object(
           'id', p.plan_id, 'name', p.plan_name, 'messagesPerMinute', p.messages_per_minute,
           'monthlyConversations', p.monthly_conversations, 'seats', p.seats, 'channels', p.channels,
           'seatsUsed', p.seats_used
         ) as plan
  from app_public.current_tenant() t, app_public.tenant_plan() p
`;

/** Makes one of the session user's workspaces its active one (refused for a workspace they are not in). */
export const setActiveTenant = (sessionId: string, tenantId: string) =>
  sql.unsafe`select app_public.set_active_tenant(${sessionId}, ${tenantId})`;
