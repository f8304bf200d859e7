import { Alert, Button, Center, Loader } from '@mantine/core';
import { Navigate, Outlet, useLocation, useSearchParams } from 'react-router';
import { formError, unavailableMessage } from '../../components/errors.ts';
import { can, type Role } from '../../components/roles.ts';
import { useMe, useRole } from './session.ts';

export function FullPageLoader() {
  return (
    <Center mih="100vh">
      <Loader aria-label="Loading" />
    </Center>
  );
}

/**
 * Who is signed in could not be asked (the database or the server is down: a 503 carries the
 * server's sentence): say so, with a retry, rather than a sign-in form that could only fail.
 */
function SessionUnavailable({ me }: { me: ReturnType<typeof useMe> }) {
  return (
    <Center mih="100vh" p="md">
      <Alert
        color="red"
        title="Parley is unavailable"
        role="alert"
        maw={480}
        data-testid="session-unavailable"
      >
        {formError(me.error) ?? unavailableMessage}{' '}
        <Button size="compact-xs" variant="light" color="red" onClick={() => void me.refetch()}>
          Try again
        </Button>
      </Alert>
    </Center>
  );
}

/** Where to go after signing in: the page that asked for it, if it is one of ours. */
export function useNextPath(): string {
  const next = useSearchParams()[0].get('next');
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/inbox';
}

/** The signed-in app: others are sent to sign in, and come back to the page they asked for. */
export function RequireSession() {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <FullPageLoader />;
  if (me.error && !me.data) return <SessionUnavailable me={me} />;
  if (!me.data) {
    const asked = `${location.pathname}${location.search}`;
    return <Navigate to={asked === '/' ? '/login' : `/login?next=${encodeURIComponent(asked)}`} replace />;
  }
  return <Outlet />;
}

/** Sign-in and sign-up pages: someone already signed in goes on to the app. */
export function GuestOnly() {
  const me = useMe();
  const next = useNextPath();
  if (me.isPending) return <FullPageLoader />;
  if (me.error && !me.data) return <SessionUnavailable me={me} />;
  if (me.data) return <Navigate to={next} replace />;
  return <Outlet />;
}

/** A section only some roles may use (the server refuses the rest anyway): others land in the inbox. */
export function RequireRole({ minimum }: { minimum: Role }) {
  return can(useRole(), minimum) ? <Outlet /> : <Navigate to="/inbox" replace />;
}
