import { uuidv7 } from '../../../db/uuid.ts';
import type { Tx } from '../../../db/tx.ts';
import { messagePreview } from './message-preview.ts';
import { epochToIso, type InboundMessage, type MessageStatus } from '../../../whatsapp/webhook-payloads.ts';
import { parleyMessageId } from '../../../whatsapp/callback-data.ts';
import {
  reconcileSent,
  recordStatuses,
  storeInboundMessages,
  upsertContacts,
  type ContactInput,
  type ConversationInput,
  type StatusInput,
} from './queries.ts';

export interface Identity {
  waId?: string | undefined;
  bsuid?: string | undefined;
  profileName?: string | undefined;
  username?: string | undefined;
}

interface PendingInbound {
  seq: number;
  phoneNumberUuid: string;
  who: Identity;
  message: InboundMessage;
  /** Receives whether the message was new (false: a duplicate wamid). */
  done: (stored: boolean) => void;
  /** The same message stored by the per-item path, when the batch cannot take it after all. */
  alone: (tx: Tx) => Promise<void>;
}

const keysOf = (who: Pick<Identity, 'waId' | 'bsuid'>) =>
  [who.waId && `w:${who.waId}`, who.bsuid && `b:${who.bsuid}`].filter((key): key is string => !!key);
const pairOf = (who: Identity) => `${who.waId ?? ''}|${who.bsuid ?? ''}`;

/** Contacts and conversations are created by their own statements; a missing id means a race lost. */
class LostRace extends Error {}

/**
 * Collects the common items of a batch — plain inbound messages and statuses — and writes them with a
 * handful of statements for the whole batch (queries.ts); everything else (reactions, system messages,
 * echoes) runs item by item afterwards, in the order Meta sent it.
 *
 * A sender whose phone number or BSUID is also touched by an item-by-item change (a number or BSUID
 * rotation, an echo, a reaction) or appears in two different pairings within the batch is taken out
 * of the set and processed item by item in order too: the per-item functions decide such cases one
 * message at a time, and the set statements are only equivalent when no two rows of the batch can
 * decide each other's contact.
 */
export class InboundBatch {
  private seq = 0;
  private inbound: PendingInbound[] = [];
  private statuses = new Map<string, StatusInput>();
  /** Parley's own sends named by a status (biz_opaque_callback_data): message id → wamid. */
  private sentByParley = new Map<string, string>();
  private itemWork: { seq: number; run: (tx: Tx) => Promise<void> }[] = [];
  private touched = new Set<string>();

  private readonly tx: Tx;

  constructor(tx: Tx) {
    this.tx = tx;
  }

  addInbound(entry: Omit<PendingInbound, 'seq'>): void {
    this.inbound.push({ ...entry, seq: this.seq++ });
  }

  addStatus(status: MessageStatus): void {
    // The first of a repeated (wamid, status) wins, as with one insert at a time.
    const key = `${status.id}|${status.status}`;
    const ours = parleyMessageId(status.biz_opaque_callback_data);
    if (ours) this.sentByParley.set(ours, status.id);
    if (this.statuses.has(key)) return;
    this.statuses.set(key, {
      wamid: status.id,
      status: status.status,
      occurredAt: epochToIso(status.timestamp),
      recipientId: status.recipient_id ?? null,
      recipientUserId: status.recipient_user_id ?? null,
      pricing: status.pricing ?? null,
      conversation: status.conversation ?? null,
      errors: status.errors ?? null,
    });
  }

  /** Item-by-item work, run after the set statements in the order it was added. */
  addItem(run: (tx: Tx) => Promise<void>): void {
    this.itemWork.push({ seq: this.seq++, run });
  }

  /** Phone numbers and BSUIDs that item-by-item work reads or changes: their senders leave the set. */
  touch(identities: Pick<Identity, 'waId' | 'bsuid'>[]): void {
    for (const who of identities) for (const key of keysOf(who)) this.touched.add(key);
  }

  async flush(): Promise<void> {
    const { tx } = this;
    const setBased = this.splitInbound();
    if (setBased.length > 0) await this.storeInbound(setBased);
    // A send whose outcome Parley did not learn (the connection dropped after Meta accepted it) gets
    // its wamid from the status, before the statuses are applied to the messages by wamid.
    for (const [messageId, wamid] of [...this.sentByParley].sort()) await reconcileSent(tx, messageId, wamid);
    if (this.statuses.size > 0)
      await recordStatuses(
        tx,
        [...this.statuses.values()].sort((a, b) => (a.wamid < b.wamid ? -1 : a.wamid > b.wamid ? 1 : 0)),
      );
    for (const item of this.itemWork.sort((a, b) => a.seq - b.seq)) await item.run(tx);
  }

  /** Takes out of the set the senders it cannot decide alone (see the class comment); they run item by item. */
  private splitInbound(): PendingInbound[] {
    const pairsByKey = new Map<string, Set<string>>();
    for (const { who } of this.inbound)
      for (const key of keysOf(who)) pairsByKey.set(key, (pairsByKey.get(key) ?? new Set()).add(pairOf(who)));
    const setBased: PendingInbound[] = [];
    for (const item of this.inbound) {
      const keys = keysOf(item.who);
      if (keys.some((key) => this.touched.has(key) || (pairsByKey.get(key)?.size ?? 0) > 1))
        this.itemWork.push({ seq: item.seq, run: item.alone });
      else setBased.push(item);
    }
    return setBased;
  }

  private async storeInbound(items: PendingInbound[]): Promise<void> {
    const { tx } = this;
    // One identity per sender; its profile is the last one the batch names, as one upsert after another leaves it.
    const contacts = new Map<string, ContactInput>();
    for (const { who } of items) {
      const key = pairOf(who);
      const known = contacts.get(key);
      contacts.set(key, {
        key,
        waId: who.waId ?? null,
        bsuid: who.bsuid ?? null,
        profileName: who.profileName ?? known?.profileName ?? null,
        username: who.username ?? known?.username ?? null,
      });
    }
    const contactIds = new Map<string, string>();
    // No lock across batches: a contact another transaction created meanwhile is missing from the
    // first pass (its insert waited for that commit and skipped); the second pass, a new statement,
    // finds it as the per-item upsert_contact's second pass does.
    let missing = [...contacts.values()];
    for (let pass = 0; pass < 2 && missing.length > 0; pass++) {
      for (const row of await upsertContacts(tx, missing)) if (row.id) contactIds.set(row.key, row.id);
      missing = missing.filter((contact) => !contactIds.has(contact.key));
    }
    if (missing.length > 0) throw new LostRace('a contact changed concurrently twice; retried');
    // A wamid repeated within the batch is stored once, from its first occurrence.
    const first = new Map<string, PendingInbound>();
    for (const item of items) if (!first.has(item.message.id)) first.set(item.message.id, item);
    const pairs = new Map<string, ConversationInput>();
    const messages = [...first.values()].map(({ seq, phoneNumberUuid, who, message }) => {
      const contactId = contactIds.get(pairOf(who)) as string;
      const key = `${phoneNumberUuid}|${contactId}`;
      let pair = pairs.get(key);
      if (!pair) {
        pair = { pair: pairs.size, phoneNumberId: phoneNumberUuid, contactId, newId: uuidv7() };
        pairs.set(key, pair);
      }
      return {
        id: uuidv7(),
        ord: seq,
        pair: pair.pair,
        wamid: message.id,
        type: message.type,
        body: messagePreview(message),
        content: message,
        contextWamid: message.context?.id ?? null,
        errors: message.errors ?? null,
        occurredAt: epochToIso(message.timestamp),
      };
    });
    // A conversation another transaction opened meanwhile: its messages go again, into it (second pass).
    const stored = new Set<string>();
    let conversations = [...pairs.values()];
    let pending = messages;
    for (let pass = 0; pass < 2 && pending.length > 0; pass++) {
      const result = await storeInboundMessages(tx, conversations, pending);
      for (const wamid of result.stored) stored.add(wamid);
      conversations = conversations.filter((pair) => result.lostPairs.has(pair.pair));
      pending = pending.filter((message) => result.lostPairs.has(message.pair));
    }
    if (pending.length > 0) throw new LostRace('a conversation changed concurrently twice; retried');
    for (const item of items) item.done(first.get(item.message.id) === item && stored.has(item.message.id));
  }
}
