import type { Role } from '../../components/roles.ts';
import { trpc, type RouterOutputs } from '../../trpc.ts';

export type Me = NonNullable<RouterOutputs['auth']['me']>;

/** Who is signed in (null when no one is); every guard and page reads the same cached query. */
export const useMe = () => trpc.auth.me.useQuery();

/** The signed-in user's role in the active workspace (viewer until known: the least it could be). */
export function useRole(): Role {
  const me = useMe().data;
  return me?.workspaces.find((w) => w.tenantId === me.activeTenantId)?.role ?? 'viewer';
}
