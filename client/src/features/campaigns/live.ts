import { useCallback, useEffect, useRef } from 'react';
import { trpc } from '../../trpc.ts';

/** At most one refetch of campaign data this often: a running campaign announces progress every tick. */
const settleMs = 500;

/**
 * campaign.* realtime events (admins get them): refetch the campaign queries on screen (list,
 * byId, report, recipients), coalesced so a campaign sending 1,000 a second costs two refetches a second.
 */
export function useCampaignEvents() {
  const utils = trpc.useUtils();
  const timer = useRef(0);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  return useCallback(() => {
    if (timer.current) return;
    timer.current = window.setTimeout(() => {
      timer.current = 0;
      void utils.campaign.invalidate();
    }, settleMs);
  }, [utils]);
}
