import { QueryClient } from '@tanstack/react-query';
import { httpBatchLink } from '@trpc/client';
import { createTRPCReact } from '@trpc/react-query';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../server/trpc/router.ts';

/** Typed hooks for every procedure; only the router's type crosses from server to client. */
export const trpc = createTRPCReact<AppRouter>();

/** What each procedure takes and returns, as the server declares it (`RouterOutputs['member']['list']`). */
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export function createClients() {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { staleTime: 10_000, refetchOnWindowFocus: false } },
  });
  const trpcClient = trpc.createClient({
    links: [httpBatchLink({ url: '/trpc' })],
  });
  return { queryClient, trpcClient };
}
