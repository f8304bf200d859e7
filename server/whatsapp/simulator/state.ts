import { createHash } from 'node:crypto';
import type { OutboundMessageBody } from '../message-payloads.ts';
import type { InboundMessage } from './inbound.ts';
import { createIdSource } from './ids.ts';
import {
  helloWorldTemplate,
  type CustomerProfile,
  type ResolvedOptions,
  type SimulatedPhoneNumber,
  type SimulatedToken,
  type SimulatedWaba,
  type TemplateSeed,
  type WebhookTarget,
} from './options.ts';

/** Everything the simulator remembers, in memory; routes and webhooks read and write it through here. */

export interface PhoneNumberRecord extends SimulatedPhoneNumber {
  wabaId: string;
}

export type OutboundStatus = 'sent' | 'delivered' | 'read' | 'played' | 'failed';

export interface OutboundRecord {
  wamid: string;
  phoneNumberId: string;
  wabaId: string;
  /** Normalised recipient (digits). */
  to: string;
  type: OutboundMessageBody['type'];
  body: OutboundMessageBody;
  acceptedAt: number;
  /** Pricing category decided at send time. */
  category: 'service' | 'marketing' | 'utility' | 'authentication';
  windowOpenAtSend: boolean;
  /** Drawn at send time, so ids never depend on when timers fire. */
  conversation: { id: string; expiresAt: number };
  statuses: { status: OutboundStatus; at: number; errorCode?: number }[];
}

/** A customer's message, and whether the business marked it read (blue ticks on the customer's phone). */
export interface InboundRecord {
  wamid: string;
  phoneNumberId: string;
  from: string;
  at: number;
  message: InboundMessage;
  readAt?: number;
  typingIndicatorAt?: number;
}

export interface MediaRecord {
  id: string;
  phoneNumberId: string;
  bytes: Buffer;
  mimeType: string;
  sha256: Buffer;
  filename?: string;
  createdAt: number;
}

export interface TemplateRecord {
  id: string;
  wabaId: string;
  name: string;
  language: string;
  category: TemplateSeed['category'];
  status: string;
  parameterFormat: 'POSITIONAL' | 'NAMED';
  components: Record<string, unknown>[];
  /** Meta's quality rating: GREEN, YELLOW, RED, or UNKNOWN before enough sends. */
  quality?: string;
  /** Why the review rejected it (Meta's rejection_info.reason). */
  rejectedReason?: string;
  createdAt: number;
}

const dayMs = 24 * 60 * 60 * 1000;

const tierLimits: Record<string, number> = {
  TIER_250: 250,
  TIER_2K: 2000,
  TIER_10K: 10_000,
  TIER_100K: 100_000,
};

export function createSimulatorState(options: ResolvedOptions) {
  const ids = createIdSource(options.seed);
  const phoneNumbers = new Map<string, PhoneNumberRecord>();
  const wabaTargets = new Map<string, WebhookTarget | undefined>();
  const templates = new Map<string, TemplateRecord[]>();
  /** Per phone number: customers of business-initiated conversations → when (the messaging limit). */
  const businessInitiated = new Map<string, Map<string, number>>();
  for (const waba of options.wabas) {
    wabaTargets.set(waba.id, waba.webhook);
    for (const number of waba.phoneNumbers) phoneNumbers.set(number.id, { ...number, wabaId: waba.id });
    templates.set(
      waba.id,
      (waba.templates ?? [helloWorldTemplate]).map((seed) => templateFromSeed(waba.id, seed)),
    );
  }
  const tokens = new Map(options.tokens.map((token) => [token.token, token]));
  const customers = new Map(options.customers.map((customer) => [customer.waId, customer]));
  const notOnWhatsApp = new Set(options.notOnWhatsApp);
  const lastInbound = new Map<string, number>();
  const conversations = new Map<string, { id: string; expiresAt: number }>();
  const outbound = new Map<string, OutboundRecord>();
  const media = new Map<string, MediaRecord>();
  const inbound = new Map<string, InboundRecord>();
  let defaultTarget = options.webhook;

  function templateFromSeed(wabaId: string, seed: TemplateSeed): TemplateRecord {
    return {
      id: ids.templateId(),
      wabaId,
      name: seed.name,
      language: seed.language,
      category: seed.category,
      status: seed.status ?? 'APPROVED',
      parameterFormat: seed.parameterFormat ?? 'POSITIONAL',
      components: seed.components,
      ...(seed.quality ? { quality: seed.quality } : {}),
      createdAt: options.now(),
    };
  }

  const pairKey = (phoneNumberId: string, customer: string) => `${phoneNumberId}:${customer}`;

  return {
    ids,
    now: options.now,

    phoneNumber: (id: string) => phoneNumbers.get(id),
    phoneNumbersOf: (wabaId: string) => [...phoneNumbers.values()].filter((n) => n.wabaId === wabaId),
    isWaba: (id: string) => wabaTargets.has(id),
    token: (token: string): SimulatedToken | undefined => tokens.get(token),
    addToken: (token: SimulatedToken) => void tokens.set(token.token, token),

    webhookTarget: (wabaId: string) => wabaTargets.get(wabaId) ?? defaultTarget,
    setWebhookTarget(target: WebhookTarget | undefined, wabaId?: string) {
      if (wabaId) wabaTargets.set(wabaId, target);
      else defaultTarget = target;
    },

    customer(waId: string): CustomerProfile {
      return customers.get(waId) ?? generatedProfile(waId);
    },
    setCustomer: (profile: CustomerProfile) => void customers.set(profile.waId, profile),
    isOnWhatsApp: (waId: string) => !notOnWhatsApp.has(waId),
    setNotOnWhatsApp(waId: string, notOn: boolean) {
      if (notOn) notOnWhatsApp.add(waId);
      else notOnWhatsApp.delete(waId);
    },

    /** The 24-hour customer-service window opens (again) with every message the customer sends. */
    recordInbound: (phoneNumberId: string, customer: string, at: number) =>
      void lastInbound.set(pairKey(phoneNumberId, customer), at),
    windowOpen(phoneNumberId: string, customer: string, at = options.now()): boolean {
      const last = lastInbound.get(pairKey(phoneNumberId, customer));
      return last !== undefined && at - last < dayMs;
    },
    /** Conversation id for the `conversation` object of `sent` statuses: one per pair per 24 hours. */
    conversation(phoneNumberId: string, customer: string, at: number) {
      const key = pairKey(phoneNumberId, customer);
      let conversation = conversations.get(key);
      if (!conversation || conversation.expiresAt <= at) {
        conversation = { id: ids.conversationId(), expiresAt: at + dayMs };
        conversations.set(key, conversation);
      }
      return conversation;
    },

    /** Adds a WABA with its numbers at run time (the sandbox gives each workspace its own). */
    addWaba(waba: SimulatedWaba) {
      wabaTargets.set(waba.id, waba.webhook);
      for (const number of waba.phoneNumbers) phoneNumbers.set(number.id, { ...number, wabaId: waba.id });
      if (!templates.has(waba.id)) {
        templates.set(
          waba.id,
          (waba.templates ?? [helloWorldTemplate]).map((seed) => templateFromSeed(waba.id, seed)),
        );
      }
    },

    addInbound: (record: InboundRecord) => void inbound.set(record.wamid, record),
    inbound: (wamid: string) => inbound.get(wamid),
    /**
     * Marks a customer message read for the business number it was sent to; like WhatsApp, earlier
     * messages of the same customer count as read too. False when the number never received it.
     */
    markRead(phoneNumberId: string, wamid: string, typingIndicator: boolean): boolean {
      const target = inbound.get(wamid);
      if (!target || target.phoneNumberId !== phoneNumberId) return false;
      const at = options.now();
      for (const record of inbound.values()) {
        if (record.phoneNumberId === phoneNumberId && record.from === target.from && record.at <= target.at) {
          record.readAt ??= at;
        }
      }
      if (typingIndicator) target.typingIndicatorAt = at;
      return true;
    },
    inboundMessages: () => [...inbound.values()],

    addOutbound: (record: OutboundRecord) => void outbound.set(record.wamid, record),

    /**
     * A business-initiated conversation (a template outside the window) with `customer`: counted
     * against the number's messaging limit over a moving 24 hours. Returns the limit when it is
     * already reached by other customers (the message then fails), undefined when it may go.
     */
    startBusinessInitiated(phone: PhoneNumberRecord, customer: string, at: number): number | undefined {
      const limit = phone.messagingLimitTier ? tierLimits[phone.messagingLimitTier] : undefined;
      const reached = businessInitiated.get(phone.id) ?? new Map<string, number>();
      businessInitiated.set(phone.id, reached);
      for (const [who, when] of reached) if (at - when >= dayMs) reached.delete(who);
      if (limit !== undefined && !reached.has(customer) && reached.size >= limit) return limit;
      reached.set(customer, at);
      return undefined;
    },
    outbound: (wamid: string) => outbound.get(wamid),
    outboundMessages: () => [...outbound.values()],

    addMedia(input: Omit<MediaRecord, 'id' | 'sha256' | 'createdAt'>): MediaRecord {
      const record: MediaRecord = {
        ...input,
        id: ids.mediaId(),
        sha256: createHash('sha256').update(input.bytes).digest(),
        createdAt: options.now(),
      };
      media.set(record.id, record);
      return record;
    },
    media: (id: string) => media.get(id),
    deleteMedia: (id: string) => media.delete(id),

    templates: (wabaId: string) => templates.get(wabaId) ?? [],
    /** The template by name and language, whatever its status. */
    template: (wabaId: string, name: string, language: string) =>
      (templates.get(wabaId) ?? []).find((t) => t.name === name && t.language === language),
    addTemplate(wabaId: string, seed: TemplateSeed): TemplateRecord {
      const record = templateFromSeed(wabaId, seed);
      templates.set(wabaId, [...(templates.get(wabaId) ?? []), record]);
      return record;
    },
    /** Deletes every language of `name`, or only the template `hsmId` (which must have that name). */
    deleteTemplates(wabaId: string, name: string, hsmId?: string): number {
      const all = templates.get(wabaId) ?? [];
      const kept = all.filter(
        (template) => template.name !== name || (hsmId !== undefined && template.id !== hsmId),
      );
      templates.set(wabaId, kept);
      return all.length - kept.length;
    },
  };
}

export type SimulatorState = ReturnType<typeof createSimulatorState>;

/** A stable made-up profile (and BSUID) for customers the options did not name. */
function generatedProfile(waId: string): CustomerProfile {
  const digest = createHash('sha256').update(waId).digest();
  const digits = Array.from(digest.subarray(0, 19), (byte) => String(byte % 10)).join('');
  return { waId, name: `Customer ${waId.slice(-4)}`, userId: `${countryOf(waId)}.${digits}` };
}

const callingCodes: [string, string][] = [
  ['1', 'US'],
  ['44', 'GB'],
  ['49', 'DE'],
  ['33', 'FR'],
  ['34', 'ES'],
  ['39', 'IT'],
  ['31', 'NL'],
  ['46', 'SE'],
  ['55', 'BR'],
  ['52', 'MX'],
  ['81', 'JP'],
  ['91', 'IN'],
];

function countryOf(waId: string): string {
  return callingCodes.find(([prefix]) => waId.startsWith(prefix))?.[1] ?? 'ZZ';
}
