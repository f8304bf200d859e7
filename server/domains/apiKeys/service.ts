import { TRPCError } from '@trpc/server';
import type { Tx } from '../../db/tx.ts';
import { generateToken, hashToken } from '../auth/tokens.ts';
import type { ApiKeyScope } from './authenticate.ts';
import { insertApiKey, revokeApiKey } from './queries.ts';

/** Mints a key: `pk_<8>_<32>`, shown once; only its sha256 is stored. Repeated scopes count once. */
export async function createApiKey(
  tx: Tx,
  input: { tenantId: string; name: string; scopes: ApiKeyScope[]; createdBy: string | null },
) {
  const prefix = `pk_${generateToken(5).slice(0, 8)}`;
  const token = `${prefix}_${generateToken(20)}`;
  const apiKey = await tx.one(
    insertApiKey({ ...input, prefix, keyHash: hashToken(token), scopes: [...new Set(input.scopes)] }),
  );
  return { apiKey, token };
}

export async function revoke(tx: Tx, id: string): Promise<void> {
  const result = await tx.query(revokeApiKey(id));
  if (result.rowCount === 0)
    throw new TRPCError({ code: 'NOT_FOUND', message: 'No active API key with that id.' });
}
