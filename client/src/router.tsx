import { Alert, Anchor, Center } from '@mantine/core';
import { Navigate, useRouteError, useSearchParams, type RouteObject } from 'react-router';
import { GuestOnly, RequireRole, RequireSession } from './features/session/guards.tsx';

/**
 * Every address the app answers. Pages load on first visit (one chunk each, see `lazy`), so the first
 * download is the shell, not the whole app. The server sends index.html for all of these
 * (server/http/static-client.ts); emailed links (/invite/…, /reset-password?token=…) land here too.
 */

/** A shown-on-demand error for a route that failed to render or to load (e.g. an old chunk after a deploy). */
function RouteError() {
  const error = useRouteError();
  return (
    <Center mih="50vh" p="md">
      <Alert color="red" title="This page could not be shown" maw={480}>
        {error instanceof Error ? error.message : 'Something went wrong.'}{' '}
        <Anchor href={window.location.href}>Reload</Anchor>
      </Alert>
    </Center>
  );
}

/** The emailed reset link carries its token in the query; the page keeps it in the path. */
function ResetPasswordLink() {
  const token = useSearchParams()[0].get('token');
  return <Navigate to={token ? `/reset/${encodeURIComponent(token)}` : '/forgot-password'} replace />;
}

export const routes: RouteObject[] = [
  {
    errorElement: <RouteError />,
    children: [
      {
        element: <GuestOnly />,
        children: ['login', 'signup', 'forgot-password'].map((path) => ({
          path,
          lazy: async () => ({ Component: (await import('./features/auth/AuthPage.tsx')).AuthPage }),
        })),
      },
      {
        path: 'invite/:token',
        lazy: async () => ({ Component: (await import('./features/auth/InvitePage.tsx')).InvitePage }),
      },
      {
        path: 'reset/:token',
        lazy: async () => ({
          Component: (await import('./features/auth/AuthPage.tsx')).ResetPasswordPage,
        }),
      },
      { path: 'reset-password', element: <ResetPasswordLink /> },
      {
        element: <RequireSession />,
        children: [
          {
            lazy: async () => ({ Component: (await import('./features/shell/Shell.tsx')).Shell }),
            errorElement: <RouteError />,
            children: [
              { index: true, element: <Navigate to="/inbox" replace /> },
              {
                // One route for the list and an open conversation, so opening one does not remount the page.
                path: 'inbox/:conversationId?',
                lazy: async () => ({ Component: (await import('./features/inbox/InboxPage.tsx')).InboxPage }),
              },
              {
                path: 'contacts',
                lazy: async () => ({
                  Component: (await import('./features/contacts/ContactsPage.tsx')).ContactsPage,
                }),
              },
              {
                path: 'contacts/import',
                lazy: async () => ({
                  Component: (await import('./features/contacts/ImportWizard.tsx')).ImportWizard,
                }),
              },
              {
                path: 'contacts/:contactId',
                lazy: async () => ({
                  Component: (await import('./features/contacts/ContactPage.tsx')).ContactPage,
                }),
              },
              {
                path: 'channels',
                lazy: async () => ({
                  Component: (await import('./features/channels/ChannelsPage.tsx')).ChannelsPage,
                }),
              },
              {
                path: 'templates',
                lazy: async () => ({
                  Component: (await import('./features/templates/TemplatesPage.tsx')).TemplatesPage,
                }),
              },
              {
                path: 'team',
                lazy: async () => ({ Component: (await import('./features/team/TeamPage.tsx')).TeamPage }),
              },
              {
                element: <RequireRole minimum="admin" />,
                children: [
                  {
                    path: 'settings',
                    lazy: async () => ({
                      Component: (await import('./features/settings/SettingsPage.tsx')).SettingsPage,
                    }),
                    children: [
                      { index: true, element: <Navigate to="/settings/labels" replace /> },
                      {
                        path: 'labels',
                        lazy: async () => ({
                          Component: (await import('./features/labels/LabelsPage.tsx')).LabelsPage,
                        }),
                      },
                      {
                        path: 'canned-responses',
                        lazy: async () => ({
                          Component: (await import('./features/settings/CannedResponsesPage.tsx'))
                            .CannedResponsesPage,
                        }),
                      },
                      {
                        path: 'time-zone',
                        lazy: async () => ({
                          Component: (await import('./features/campaigns/TimeZonePage.tsx')).TimeZonePage,
                        }),
                      },
                      {
                        path: 'contacts',
                        lazy: async () => ({
                          Component: (await import('./features/contacts/ContactSettingsPage.tsx'))
                            .ContactSettingsPage,
                        }),
                      },
                      {
                        path: 'auto-assignment',
                        lazy: async () => ({
                          Component: (await import('./features/settings/AutoAssignmentPage.tsx'))
                            .AutoAssignmentPage,
                        }),
                      },
                      {
                        path: 'webhooks',
                        lazy: async () => ({
                          Component: (await import('./features/outboundWebhooks/WebhookEndpointsPage.tsx'))
                            .WebhookEndpointsPage,
                        }),
                      },
                    ],
                  },
                  {
                    path: 'segments',
                    lazy: async () => ({
                      Component: (await import('./features/campaigns/SegmentsPage.tsx')).SegmentsPage,
                    }),
                  },
                  {
                    path: 'campaigns',
                    lazy: async () => ({
                      Component: (await import('./features/campaigns/CampaignsPage.tsx')).CampaignsPage,
                    }),
                  },
                  {
                    path: 'campaigns/new',
                    lazy: async () => ({
                      Component: (await import('./features/campaigns/NewCampaignPage.tsx')).NewCampaignPage,
                    }),
                  },
                  {
                    path: 'campaigns/:id',
                    lazy: async () => ({
                      Component: (await import('./features/campaigns/CampaignPage.tsx')).CampaignPage,
                    }),
                  },
                  {
                    path: 'api-keys',
                    lazy: async () => ({
                      Component: (await import('./features/apiKeys/ApiKeysPage.tsx')).ApiKeysPage,
                    }),
                  },
                  {
                    // The payload of one delivery opens over the log: /webhook-log/<event id>. (/webhooks/… is
                    // Meta's, on the server.)
                    path: 'webhook-log/:eventId?',
                    lazy: async () => ({
                      Component: (await import('./features/webhooks/WebhookLogPage.tsx')).WebhookLogPage,
                    }),
                  },
                ],
              },
              {
                path: '*',
                lazy: async () => ({ Component: (await import('./features/shell/NotFound.tsx')).NotFound }),
              },
            ],
          },
        ],
      },
    ],
  },
];
