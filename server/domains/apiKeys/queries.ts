import { sql } from 'slonik';
import { z } from 'zod';
import { apiKeyScopeSchema, type ApiKeyScope } from './authenticate.ts';

/** A key as its admins see it (never its secret): the rows below, and the procedures' output. */
export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(apiKeyScopeSchema),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

const apiKeyColumns = sql.fragment`
  id, name, prefix, scopes, created_at as "createdAt", last_used_at as "lastUsedAt", revoked_at as "revokedAt"
`;

export function insertApiKey(key: {
  tenantId: string;
  name: string;
  prefix: string;
  keyHash: string;
  scopes: ApiKeyScope[];
  createdBy: string | null;
}) {
  return sql.type(apiKeySchema)`
    insert into app_public.api_keys (tenant_id, name, prefix, key_hash, scopes, created_by)
    values (${key.tenantId}, ${key.name}, ${key.prefix}, ${key.keyHash}, ${sql.array(key.scopes, 'text')}, ${key.createdBy})
    returning ${apiKeyColumns}
  `;
}

export const apiKeys = () =>
  sql.type(apiKeySchema)`select ${apiKeyColumns} from app_public.api_keys order by created_at desc`;

export const revokeApiKey = (id: string) =>
  sql.unsafe`update app_public.api_keys set revoked_at = now() where id = ${id} and revoked_at is null`;
