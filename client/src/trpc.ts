import { QueryClient } from '@tanstack/react-query';
import { httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
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
    // Subscriptions (the realtime bus) over server-sent events; the browser's EventSource reconnects
    // by itself and sends the last event id, so the server resumes where it stopped.
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url: '/trpc' }),
        false: httpBatchLink({ url: '/trpc' }),
      }),
    ],
  });
  return { queryClient, trpcClient };
}
