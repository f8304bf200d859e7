import type { FastifyInstance } from 'fastify';
import { buildSimulatorApp, simulatorRoutes } from './app.ts';
import type { SimulatorContext } from './context.ts';
import { createFaults, type InjectedFault } from './faults.ts';
import { buildInboundWebhook, type InboundMessage } from './inbound.ts';
import {
  defaultAccessToken,
  defaultAppSecret,
  resolveOptions,
  type CustomerProfile,
  type SimulatedToken,
  type SimulatedWaba,
  type SimulatorOptions,
  type WebhookTarget,
} from './options.ts';
import { createSendLimiter } from './rate-limits.ts';
import { controlRoutes } from './routes/control.ts';
import { createScheduler } from './scheduler.ts';
import { createSimulatorState, type OutboundStatus } from './state.ts';
import { createStatusPipeline } from './statuses.ts';
import type { WebhookErrorObject } from './webhook-bodies.ts';
import { createWebhookDispatcher, type WebhookDeliveryRecord } from './webhook-delivery.ts';
import { createWebhookEmitter } from './webhook-emitter.ts';

export { defaultAccessToken, defaultAppSecret };
export type { InboundMessage, SimulatorOptions, WebhookDeliveryRecord, WebhookTarget };

/**
 * A WhatsApp Cloud API stand-in: the Graph endpoints Parley calls under /{version}/…, Meta's limits and
 * error semantics, and signed webhooks back to the configured target (customer messages on demand,
 * statuses after each send, template reviews). The returned app never listens until `listen` is called.
 */
export function createSimulator(input: SimulatorOptions = {}) {
  const options = resolveOptions(input);
  const logger = options.logger;
  const state = createSimulatorState(options);
  const scheduler = createScheduler((error) => logger?.error({ err: error }, 'simulator task failed'));
  const dispatcher = createWebhookDispatcher({
    scheduler,
    retry: options.webhookRetry,
    concurrency: options.webhookConcurrency,
    now: options.now,
    ...(options.webhookFetch ? { fetch: options.webhookFetch } : {}),
  });
  const emitter = createWebhookEmitter({ state, dispatcher, escapeNonAscii: options.escapeNonAscii });
  const context: SimulatorContext = {
    options,
    state,
    scheduler,
    emitter,
    statuses: createStatusPipeline({ state, scheduler, emitter, delays: options.statusDelaysMs }),
    limiter: createSendLimiter(options.now),
    mediaUrlKey: state.ids.secret(),
  };
  const faults = createFaults(state);

  const app = buildSimulatorApp(context, faults);

  function customerSends(
    phoneNumberId: string,
    from: string,
    message: InboundMessage,
    profile?: Partial<Omit<CustomerProfile, 'waId'>>,
    /** `at`: when the customer wrote (epoch ms), for a message Meta delivers late; default now. */
    options: { at?: number } = {},
  ) {
    const phone = state.phoneNumber(phoneNumberId);
    if (!phone) throw new Error(`Unknown phone number ${phoneNumberId}`);
    if (profile) {
      const given = Object.fromEntries(Object.entries(profile).filter(([, value]) => value !== undefined));
      state.setCustomer({ ...state.customer(from), ...given, waId: from });
    }
    const at = options.at ?? state.now();
    const wamid = state.ids.wamid(from, 'inbound');
    // Every customer message (not Meta's system notices) opens or renews the 24-hour window.
    if (message.type !== 'system') state.recordInbound(phone.id, from, at);
    state.addInbound({ wamid, phoneNumberId: phone.id, from, at, message });
    const body = buildInboundWebhook(state, phone, from, message, {
      wamid,
      at,
      profile: state.customer(from),
    });
    const delivery = emitter.emit(phone.wabaId, `message.${message.type}`, body);
    return { wamid, body, ...delivery };
  }

  if (options.controlRoutes) controlRoutes(app, { state, customerSends, log: dispatcher.log });

  let url: string | undefined;

  return {
    app,
    /** Serves the Graph routes from another Fastify app under `prefix` too (Parley's sandbox). */
    mount: (parent: FastifyInstance, prefix: string) =>
      parent.register(simulatorRoutes, { prefix, context, faults }),
    accessToken: options.tokens[0]?.token ?? defaultAccessToken,

    /** Listens on 127.0.0.1 and a free port unless told otherwise; returns the base URL. */
    async listen(listenOptions: { port?: number; host?: string } = {}): Promise<string> {
      url = await app.listen({ port: listenOptions.port ?? 0, host: listenOptions.host ?? '127.0.0.1' });
      return url;
    },
    get url() {
      return url;
    },

    async close(): Promise<void> {
      scheduler.close();
      dispatcher.close();
      await app.close();
    },

    /** Resolves when every scheduled status, review and webhook delivery (with retries) is done. */
    idle: () => scheduler.idle(),

    // Driving the simulated world.
    customerSends,
    /** Sends a status for an earlier outbound message now (e.g. `played`, or a duplicate). */
    sendStatus: (wamid: string, status: OutboundStatus, errors?: WebhookErrorObject[]) =>
      context.statuses.emitNow(wamid, status, errors),
    /** Delivers any body (e.g. a fixture file's bytes) to the WABA's webhook target, signed. */
    sendWebhook: (wabaId: string, body: string | object) => emitter.emit(wabaId, 'raw', body),
    setWebhookTarget: (target: WebhookTarget | undefined, wabaId?: string) =>
      state.setWebhookTarget(target, wabaId),
    setNotOnWhatsApp: (waId: string, notOn = true) => state.setNotOnWhatsApp(waId, notOn),
    addToken: (token: SimulatedToken) => state.addToken(token),
    addWaba: (waba: SimulatedWaba) => state.addWaba(waba),
    injectFault: (fault: InjectedFault) => faults.add(fault),
    clearFaults: () => faults.clear(),

    // Inspecting it.
    outboundMessages: () => state.outboundMessages(),
    /** Sends refused for throughput (130429) and pair rate (131056) so far. */
    sendRefusals: () => context.limiter.refusals(),
    outboundMessage: (wamid: string) => state.outbound(wamid),
    /** A customer message, with when the business marked it read. */
    inboundMessage: (wamid: string) => state.inbound(wamid),
    inboundMessages: () => state.inboundMessages(),
    media: (id: string) => state.media(id),
    templates: (wabaId: string) => state.templates(wabaId),
    windowOpen: (phoneNumberId: string, waId: string) => state.windowOpen(phoneNumberId, waId),
    webhookLog: (): readonly WebhookDeliveryRecord[] => dispatcher.log(),
  };
}

export type Simulator = ReturnType<typeof createSimulator>;
