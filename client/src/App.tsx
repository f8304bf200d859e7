import { Center, Loader } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { AuthPage, ResetPasswordPage } from './features/auth/AuthPage.tsx';
import { Shell } from './features/shell/Shell.tsx';
import { trpc } from './trpc.ts';

/** Links that arrive by email: /invite/<token> and /reset-password?token=<token>. */
function linkFromLocation() {
  const invite = /^\/invite\/([a-z2-7]{20,64})$/.exec(window.location.pathname)?.[1];
  const reset =
    window.location.pathname === '/reset-password'
      ? new URLSearchParams(window.location.search).get('token')
      : null;
  return { invite, reset };
}

function AcceptInvitation({ token, onDone }: { token: string; onDone: () => void }) {
  const utils = trpc.useUtils();
  const accept = trpc.invitation.accept.useMutation({
    onSettled: () => {
      window.history.replaceState(null, '', '/');
      onDone();
      void utils.invalidate();
    },
  });
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    accept.mutate({ token });
  }, [accept, token]);
  return (
    <Center mih="100vh">
      <Loader />
    </Center>
  );
}

export function App() {
  const me = trpc.auth.me.useQuery();
  const [link, setLink] = useState(linkFromLocation);
  if (link.reset) return <ResetPasswordPage token={link.reset} />;
  if (me.isPending) {
    return (
      <Center mih="100vh">
        <Loader />
      </Center>
    );
  }
  if (!me.data) return <AuthPage invitationToken={link.invite} />;
  if (link.invite)
    return (
      <AcceptInvitation token={link.invite} onDone={() => setLink({ invite: undefined, reset: null })} />
    );
  return <Shell me={me.data} />;
}
