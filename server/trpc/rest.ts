import type { OpenApiMeta, OpenApiMethod } from 'trpc-to-openapi';

/** The resource groups of the REST mirror, in the order /api/docs lists them. */
export const restTags = [
  'Messages',
  'Conversations',
  'Contacts',
  'Templates',
  'Channels',
  'Labels',
  'Webhook log',
  'Campaigns',
  'Outbound webhooks',
] as const;

export type RestTag = (typeof restTags)[number];

/**
 * A procedure's place in the REST mirror (`/api/v1` + path, served and documented by
 * server/http/rest-api.ts from the same zod input and output). Path parameters name input fields.
 */
export function rest(
  method: OpenApiMethod,
  path: `/${string}`,
  tag: RestTag,
  summary: string,
  description?: string,
): OpenApiMeta {
  return { openapi: { method, path, tags: [tag], summary, description, protect: true } };
}
