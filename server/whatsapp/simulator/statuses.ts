import type { StatusDelays } from './options.ts';
import type { Scheduler } from './scheduler.ts';
import type { OutboundRecord, OutboundStatus, SimulatorState } from './state.ts';
import {
  messagesChange,
  seconds,
  type StatusObject,
  type StatusPricing,
  type WebhookErrorObject,
} from './webhook-bodies.ts';
import type { WebhookEmitter } from './webhook-emitter.ts';

/**
 * After an accepted send Meta reports, by webhook: sent → delivered → read, or a single `failed` with
 * its error (no pricing). Since 2025-07-01 pricing is per message (PMP): service replies and utility
 * templates inside the customer-service window are free, other templates are billable.
 */
export function createStatusPipeline(deps: {
  state: SimulatorState;
  scheduler: Scheduler;
  emitter: WebhookEmitter;
  delays: StatusDelays;
}) {
  const { state, scheduler, emitter, delays } = deps;

  function pricing(record: OutboundRecord): StatusPricing {
    const free = record.category === 'service' || (record.category === 'utility' && record.windowOpenAtSend);
    return {
      billable: !free,
      pricing_model: 'PMP',
      category: record.category,
      type: free ? 'free_customer_service' : 'regular',
    };
  }

  function emit(record: OutboundRecord, status: OutboundStatus, errors?: WebhookErrorObject[]) {
    const phone = state.phoneNumber(record.phoneNumberId);
    if (!phone) return;
    const at = state.now();
    const object: StatusObject = {
      id: record.wamid,
      status,
      timestamp: seconds(at),
      recipient_id: record.to,
    };
    // Since 2026 statuses also name the recipient by business-scoped user id (BSUID).
    const customer = state.customer(record.to);
    if (customer.userId) object.recipient_user_id = customer.userId;
    if (customer.parentUserId) object.recipient_parent_user_id = customer.parentUserId;
    if (status === 'failed') {
      object.errors = errors ?? [];
    } else if (status === 'sent' || status === 'delivered') {
      object.pricing = pricing(record);
      if (status === 'sent') {
        object.conversation = {
          id: record.conversation.id,
          expiration_timestamp: seconds(record.conversation.expiresAt),
          origin: { type: record.category },
        };
      }
    }
    if (record.body.biz_opaque_callback_data) {
      object.biz_opaque_callback_data = record.body.biz_opaque_callback_data;
    }
    record.statuses.push({ status, at, ...(errors?.[0] ? { errorCode: errors[0].code } : {}) });
    return emitter.emit(phone.wabaId, `status.${status}`, messagesChange(phone, { statuses: [object] }));
  }

  return {
    /** Schedules the lifecycle of an accepted message; `failure` turns it into one `failed` status. */
    start(record: OutboundRecord, failure?: Promise<WebhookErrorObject | undefined>) {
      // The check (e.g. fetching a media link) runs while the `sent` delay passes; the scheduler tracks it.
      const checked = scheduler.track(failure ?? Promise.resolve(undefined));
      scheduler.after(delays.sent, async () => {
        const problem = await checked;
        if (problem) {
          emit(record, 'failed', [problem]);
          return;
        }
        emit(record, 'sent');
        scheduler.after(delays.delivered, () => {
          emit(record, 'delivered');
          if (delays.read !== null) scheduler.after(delays.read, () => void emit(record, 'read'));
        });
      });
    },

    /** Sends one status now (e.g. `played` for a voice note, or a duplicate to test idempotency). */
    emitNow(wamid: string, status: OutboundStatus, errors?: WebhookErrorObject[]) {
      const record = state.outbound(wamid);
      if (!record) throw new Error(`No outbound message ${wamid}`);
      return emit(record, status, errors);
    },
  };
}

export type StatusPipeline = ReturnType<typeof createStatusPipeline>;
