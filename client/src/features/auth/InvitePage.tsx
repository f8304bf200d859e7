import { useEffect, useRef, useState } from 'react';
import { Navigate, useNavigate, useParams } from 'react-router';
import { trpc } from '../../trpc.ts';
import { FullPageLoader } from '../session/guards.tsx';
import { useMe } from '../session/session.ts';
import { InvitationAuthPage } from './AuthPage.tsx';

/** Signed in: joins the invitation's workspace once, then opens its inbox. */
function AcceptInvitation({ token }: { token: string }) {
  const utils = trpc.useUtils();
  const navigate = useNavigate();
  const accept = trpc.invitation.accept.useMutation({
    onSettled: () => {
      void navigate('/inbox', { replace: true });
      void utils.invalidate();
    },
  });
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    accept.mutate({ token });
  }, [accept, token]);
  return <FullPageLoader />;
}

/** /invite/:token, the link invitations email (server/domains/members: PUBLIC_URL/invite/<token>). */
export function InvitePage() {
  const token = useParams().token ?? '';
  const me = useMe();
  // Signed up with the invitation: already a member, nothing left to accept.
  const [joined, setJoined] = useState(false);
  if (joined) return <Navigate to="/inbox" replace />;
  if (me.isPending) return <FullPageLoader />;
  if (!me.data) return <InvitationAuthPage invitationToken={token} onJoined={() => setJoined(true)} />;
  return <AcceptInvitation token={token} />;
}
