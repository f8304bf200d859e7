import type { SimulatorState } from './state.ts';
import { serialiseWebhook } from './webhook-bodies.ts';
import type { WebhookDeliveryRecord, WebhookDispatcher } from './webhook-delivery.ts';

/** Routes a webhook body to the app subscribed to its WABA, serialised the way Meta does. */
export function createWebhookEmitter(deps: {
  state: SimulatorState;
  dispatcher: WebhookDispatcher;
  escapeNonAscii: boolean;
}) {
  return {
    emit(
      wabaId: string,
      kind: string,
      body: unknown,
    ): { record: WebhookDeliveryRecord; settled: Promise<WebhookDeliveryRecord> } {
      const bytes = typeof body === 'string' ? body : serialiseWebhook(body, deps.escapeNonAscii);
      return deps.dispatcher.send(deps.state.webhookTarget(wabaId), bytes, { kind, wabaId });
    },
  };
}

export type WebhookEmitter = ReturnType<typeof createWebhookEmitter>;
