// @vitest-environment jsdom
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../server/trpc/router.ts';
import type { Conversation, Message } from './features/inbox/types.ts';
import { unavailableMessage } from './components/errors.ts';
import { routes } from './router.tsx';
import { trpc, type RouterOutputs } from './trpc.ts';

beforeAll(() => {
  // jsdom has no matchMedia (Mantine asks it for the colour scheme and breakpoints), ResizeObserver
  // (scroll areas) or document.fonts (the reply box's autosize listens to it).
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => undefined,
      removeListener: () => undefined,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      dispatchEvent: () => false,
    }) as MediaQueryList;
  Object.defineProperty(document, 'fonts', {
    value: { addEventListener: () => undefined, removeEventListener: () => undefined },
  });
  window.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
});
afterEach(cleanup);

// Pages are lazy chunks: the first render of each waits for its module to be transformed and loaded.
const slow = { timeout: 10_000 };

const tenantId = '01900000-0000-7000-8000-0000000000aa';
const signedIn: RouterOutputs['auth']['me'] = {
  user: { id: 'u1', email: 'ada@example.test', displayName: 'Ada Agent', isPlatformAdmin: false },
  activeTenantId: tenantId,
  workspaces: [
    { tenantId, name: 'Jacket Shop', slug: 'jacket-shop', role: 'agent', status: 'active', joinedAt: '' },
  ],
};
const conversation = (id: string, name: string): Conversation => ({
  id,
  status: 'open',
  lastMessageAt: '2026-12-01T10:00:00.000Z',
  lastMessagePreview: `Hello from ${name}`,
  unreadCount: 0,
  snoozedUntil: null,
  assignedUserId: null,
  assignedTeamId: null,
  version: 0,
  windowClosesAt: '2026-12-02T10:00:00.000Z',
  labelIds: [],
  cursor: `2026-12-01T10:00:00.000000Z|${id}`,
  phoneNumberId: 'pn1',
  contact: { id: `contact-${id}`, waId: '15550123456', bsuid: null, name },
});
const maya = conversation('01900000-0000-7000-8000-000000000001', 'Maya Lindqvist');
const ola = conversation('01900000-0000-7000-8000-000000000002', 'Ola Nordmann');
const message = (conversationId: string, body: string): Message => ({
  id: `01900000-0000-7000-8000-0000000001${conversationId.slice(-2)}`,
  wamid: 'wamid.1',
  direction: 'inbound',
  type: 'text',
  body,
  content: {},
  status: 'received',
  error: null,
  quotedWamid: null,
  occurredAt: '2026-12-01T10:00:00.000Z',
  reactions: [],
  ownReaction: null,
  media: null,
  pricingCategory: null,
});

/** What a fake answer throws to fail as the server would (the code, HTTP status and sentence it sends). */
class Refusal extends Error {
  readonly code: 'NOT_FOUND' | 'SERVICE_UNAVAILABLE';
  constructor(code: Refusal['code'], message: string) {
    super(message);
    this.code = code;
  }
}
const httpStatus = { NOT_FOUND: 404, SERVICE_UNAVAILABLE: 503 };
const rpcCode = { NOT_FOUND: -32004, SERVICE_UNAVAILABLE: -32603 };

type Answers = Record<string, (input: unknown) => unknown>;

/** A stand-in for the server: canned answers per procedure (what the pages read is what is typed). */
function fakeServer(me: RouterOutputs['auth']['me'], overrides: Answers = {}): TRPCLink<AppRouter> {
  const answers: Answers = {
    'auth.me': () => me,
    'system.info': () => ({ name: 'Parley', version: '0.1.0', node: 'v24' }),
    'system.health': () => ({ ready: true, checks: { database: true, schema: true } }),
    'conversation.list': () => [maya, ola],
    'message.list': (input) => {
      const { conversationId } = input as { conversationId: string };
      return [
        message(conversationId, conversationId === ola.id ? 'Do you ship to Oslo?' : 'Is it in stock?'),
      ];
    },
    'channel.list': () => [],
    'conversation.counts': () => {
      const none = { total: 0, unread: 0 };
      return {
        open: none,
        pending: none,
        snoozed: none,
        resolved: none,
        all: none,
        cap: 10_000,
      };
    },
    'conversation.byId': (input) => {
      const found = [maya, ola].find((c) => c.id === (input as { id: string }).id);
      if (!found) throw new Refusal('NOT_FOUND', 'No such conversation.');
      return found;
    },
    'label.list': () => [],
    'member.list': () => [],
    'team.list': () => [],
    'conversation.unreadTotals': () => ({ conversations: 0, messages: 0 }),
    ...overrides,
  };
  return () =>
    ({ op }) =>
      observable((observer) => {
        const answer = answers[op.path];
        if (!answer) {
          observer.error(new TRPCClientError(`no fake answer for ${op.path}`));
          return;
        }
        try {
          observer.next({ result: { type: 'data', data: answer(op.input) } });
          observer.complete();
        } catch (error) {
          if (!(error instanceof Refusal)) throw error;
          observer.error(
            TRPCClientError.from({
              error: {
                code: rpcCode[error.code],
                message: error.message,
                data: { code: error.code, httpStatus: httpStatus[error.code], path: op.path },
              },
            }),
          );
        }
      });
}

function renderAt(path: string, me: RouterOutputs['auth']['me'] = signedIn, overrides: Answers = {}) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const trpcClient = trpc.createClient({ links: [fakeServer(me, overrides)] });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  render(
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <MantineProvider>
          <RouterProvider router={router} />
        </MantineProvider>
      </QueryClientProvider>
    </trpc.Provider>,
  );
  return router;
}

describe('addresses of the app', () => {
  it('a deep link to a conversation opens that conversation beside the list', async () => {
    renderAt(`/inbox/${ola.id}`);
    expect(await screen.findByText('Do you ship to Oslo?', {}, slow)).toBeTruthy();
    expect(screen.queryByText('Is it in stock?')).toBeNull();
    const entries = await screen.findAllByTestId('conversation');
    expect(entries.map((entry) => [entry.getAttribute('href'), entry.getAttribute('aria-current')])).toEqual([
      [`/inbox/${maya.id}`, null],
      [`/inbox/${ola.id}`, 'page'],
    ]);
    await waitFor(() => expect(document.title).toBe('Ola Nordmann · Parley'));
  });

  it('an address naming no conversation of the workspace says so', async () => {
    renderAt('/inbox/01900000-0000-7000-8000-00000000dead');
    expect(await screen.findByTestId('conversation-missing', {}, slow)).toBeTruthy();
  });

  it('a deep link to a conversation beyond the first page of the list opens it, without paging the list', async () => {
    const asked: unknown[] = [];
    renderAt(`/inbox/${ola.id}`, signedIn, {
      'conversation.list': (input) => {
        asked.push(input);
        return [maya];
      },
    });
    expect(await screen.findByText('Do you ship to Oslo?', {}, slow)).toBeTruthy();
    await waitFor(() => expect(document.title).toBe('Ola Nordmann · Parley'));
    expect(asked.every((input) => !(input as { cursor?: string }).cursor)).toBe(true);
  });

  it('during a database outage the sign-in gate says so instead of showing the sign-in form', async () => {
    const outage = () => {
      throw new Refusal('SERVICE_UNAVAILABLE', unavailableMessage);
    };
    for (const path of [`/inbox/${maya.id}`, '/login']) {
      renderAt(path, null, { 'auth.me': outage });
      expect(await screen.findByText(unavailableMessage, { exact: false }, slow)).toBeTruthy();
      expect(screen.queryByRole('button', { name: 'Sign in' })).toBeNull();
      cleanup();
    }
  });

  it('signing up through an invitation link opens the joined inbox without accepting the invitation twice', async () => {
    let me: RouterOutputs['auth']['me'] = null;
    let accepted = 0;
    const router = renderAt('/invite/abcdefghijklmnopqrstuvwxyz012345', null, {
      'auth.me': () => me,
      'auth.signUp': () => (me = signedIn),
      'invitation.accept': () => {
        accepted += 1;
        throw new Refusal('NOT_FOUND', 'This invitation was used already.');
      },
    });
    const join = await screen.findByRole('button', { name: 'Create account and join' }, slow);
    const form = within(join.closest('form') ?? document.body);
    const type = (label: string, value: string) =>
      fireEvent.change(form.getByLabelText(label, { exact: false, selector: 'input' }), {
        target: { value },
      });
    type('Your name', 'Bo Agent');
    type('Email', 'bo@example.com');
    type('Password', 'a long enough password');
    fireEvent.click(join);
    expect(await screen.findByText('Choose a conversation.', {}, slow)).toBeTruthy();
    expect(router.state.location.pathname).toBe('/inbox');
    expect(accepted).toBe(0);
  });

  it('signed out, a deep link goes to sign-in and remembers where it was going', async () => {
    const router = renderAt(`/inbox/${maya.id}`, null);
    expect(await screen.findByRole('button', { name: 'Sign in' }, slow)).toBeTruthy();
    expect(router.state.location.pathname).toBe('/login');
    expect(new URLSearchParams(router.state.location.search).get('next')).toBe(`/inbox/${maya.id}`);
  });

  it('a section the role may not use sends it to the inbox', async () => {
    const router = renderAt('/api-keys');
    expect(await screen.findByText('Choose a conversation.', {}, slow)).toBeTruthy();
    expect(router.state.location.pathname).toBe('/inbox');
  });

  it('the emailed reset link (/reset-password?token=…) opens the reset page at /reset/<token>', async () => {
    const router = renderAt('/reset-password?token=abcdefghijklmnopqrstuvwx', null);
    expect(await screen.findByText('Choose a new password', {}, slow)).toBeTruthy();
    expect(router.state.location.pathname).toBe('/reset/abcdefghijklmnopqrstuvwx');
  });
});
