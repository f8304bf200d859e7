import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { hashToken } from '../auth/tokens.ts';
import type { Role } from '../members/roles.ts';

export const apiKeyScopes = ['read', 'write', 'manage'] as const;
export const apiKeyScopeSchema = z.enum(apiKeyScopes);
export type ApiKeyScope = z.infer<typeof apiKeyScopeSchema>;

export interface ApiKeyIdentity {
  id: string;
  tenantId: string;
  scopes: ApiKeyScope[];
  tenantStatus: 'active' | 'suspended';
}

/** Keys look like `pk_<8 chars>_<32 chars>`; the first part is the displayable prefix. */
export const apiKeyPattern = /^(pk_[a-z0-9]{8})_[a-z2-7]{32}$/;

export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

/**
 * The role a key acts with for a procedure's minimum role: read → viewer, write → agent,
 * manage → admin. Keys never act as owner.
 */
export function scopeFor(minimumRole: Role): ApiKeyScope | null {
  switch (minimumRole) {
    case 'viewer':
      return 'read';
    case 'agent':
      return 'write';
    case 'admin':
      return 'manage';
    case 'owner':
      return null;
  }
}

const identitySchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  scopes: z.array(apiKeyScopeSchema),
  tenantStatus: z.enum(['active', 'suspended']),
});

export async function authenticateApiKey(
  db: CommonQueryMethods,
  token: string,
): Promise<ApiKeyIdentity | null> {
  if (!apiKeyPattern.test(token)) return null;
  return db.maybeOne(sql.type(identitySchema)`
    select key_id as id, tenant_id as "tenantId", scopes, tenant_status as "tenantStatus"
    from app_public.authenticate_api_key(${hashToken(token)})
  `);
}
