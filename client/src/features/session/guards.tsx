import { Center, Loader } from '@mantine/core';
import { Navigate, Outlet, useLocation, useSearchParams } from 'react-router';
import { can, type Role } from '../../components/roles.ts';
import { useMe, useRole } from './session.ts';

export function FullPageLoader() {
  return (
    <Center mih="100vh">
      <Loader aria-label="Loading" />
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
  if (me.data) return <Navigate to={next} replace />;
  return <Outlet />;
}

/** A section only some roles may use (the server refuses the rest anyway): others land in the inbox. */
export function RequireRole({ minimum }: { minimum: Role }) {
  return can(useRole(), minimum) ? <Outlet /> : <Navigate to="/inbox" replace />;
}
