import type { FastifyInstance } from 'fastify';
import type { SimulatorContext } from '../context.ts';
import { authenticate, graphErrors, mayUse, sendGraphError } from '../graph-replies.ts';
import type { PhoneNumberRecord } from '../state.ts';
import { mediaUrlReply } from './media.ts';

const simulatorAppId = '100000000000001';
const scopes = ['whatsapp_business_management', 'whatsapp_business_messaging', 'business_management'];

/** `15550101010` → `+1 555-010-1010`, the way Graph displays North American numbers. */
function formatDisplayNumber(digits: string): string {
  const nanp = /^1(\d{3})(\d{3})(\d{4})$/.exec(digits);
  return nanp ? `+1 ${nanp[1]}-${nanp[2]}-${nanp[3]}` : `+${digits}`;
}

function phoneNumberJson(phone: PhoneNumberRecord) {
  return {
    verified_name: phone.verifiedName,
    code_verification_status: 'VERIFIED',
    display_phone_number: formatDisplayNumber(phone.displayPhoneNumber),
    quality_rating: phone.qualityRating ?? 'GREEN',
    platform_type: 'CLOUD_API',
    throughput: { level: (phone.throughputPerSecond ?? 80) > 80 ? 'HIGH' : 'STANDARD' },
    ...(phone.messagingLimitTier ? { messaging_limit_tier: phone.messagingLimitTier } : {}),
    id: phone.id,
  };
}

/** Graph nodes by id (phone number, media, WABA), WABA edges, and the token check. */
export function objectRoutes(graph: FastifyInstance, context: SimulatorContext): void {
  const { state } = context;
  const subscribed = new Set<string>();

  /** GET /debug_token?input_token=…: describes the input token (the caller's must be valid itself). */
  graph.get('/debug_token', async (request, reply) => {
    if (!authenticate(request, reply, state)) return reply;
    const { input_token: input } = request.query as { input_token?: string };
    if (!input)
      return sendGraphError(
        reply,
        state,
        graphErrors.invalidParameter('The parameter input_token is required.'),
      );
    const token = state.token(input);
    if (!token) {
      return reply.send({
        data: { is_valid: false, scopes: [], error: { code: 190, message: 'Invalid OAuth access token.' } },
      });
    }
    const expired = token.expiresAt !== undefined && token.expiresAt <= state.now();
    return reply.send({
      data: {
        app_id: token.appId ?? simulatorAppId,
        type: 'SYSTEM_USER',
        application: 'Parley Simulator',
        data_access_expires_at: 0,
        expires_at: token.expiresAt === undefined ? 0 : Math.floor(token.expiresAt / 1000),
        is_valid: !expired,
        scopes,
        granular_scopes: [
          { scope: 'whatsapp_business_management', target_ids: token.wabaIds },
          { scope: 'whatsapp_business_messaging', target_ids: token.wabaIds },
        ],
        user_id: '200000000000001',
        ...(expired ? { error: { code: 190, subcode: 463, message: 'Session has expired.' } } : {}),
      },
    });
  });

  graph.get('/:wabaId/phone_numbers', async (request, reply) => {
    const token = authenticate(request, reply, state);
    if (!token) return reply;
    const { wabaId } = request.params as { wabaId: string };
    if (!state.isWaba(wabaId) || !mayUse(token, wabaId)) {
      return sendGraphError(reply, state, graphErrors.unknownObject('GET', wabaId));
    }
    const data = state.phoneNumbersOf(wabaId).map(phoneNumberJson);
    const first = data[0];
    const last = data.at(-1);
    return reply.send({
      data,
      ...(first && last
        ? {
            paging: {
              cursors: {
                before: Buffer.from(first.id).toString('base64url'),
                after: Buffer.from(last.id).toString('base64url'),
              },
            },
          }
        : {}),
    });
  });

  graph.post('/:wabaId/subscribed_apps', async (request, reply) => {
    const token = authenticate(request, reply, state);
    if (!token) return reply;
    const { wabaId } = request.params as { wabaId: string };
    if (!state.isWaba(wabaId) || !mayUse(token, wabaId)) {
      return sendGraphError(reply, state, graphErrors.unknownObject('POST', wabaId));
    }
    subscribed.add(wabaId);
    return reply.send({ success: true });
  });

  graph.get('/:wabaId/subscribed_apps', async (request, reply) => {
    const token = authenticate(request, reply, state);
    if (!token) return reply;
    const { wabaId } = request.params as { wabaId: string };
    if (!state.isWaba(wabaId) || !mayUse(token, wabaId)) {
      return sendGraphError(reply, state, graphErrors.unknownObject('GET', wabaId));
    }
    const data = subscribed.has(wabaId)
      ? [{ whatsapp_business_api_data: { id: token.appId ?? simulatorAppId, name: 'Parley Simulator' } }]
      : [];
    return reply.send({ data });
  });

  graph.get('/:objectId', async (request, reply) => {
    const token = authenticate(request, reply, state);
    if (!token) return reply;
    const { objectId } = request.params as { objectId: string };
    const phone = state.phoneNumber(objectId);
    if (phone && mayUse(token, phone.wabaId)) return reply.send(phoneNumberJson(phone));
    const media = state.media(objectId);
    const owner = media ? state.phoneNumber(media.phoneNumberId) : undefined;
    if (media && owner && mayUse(token, owner.wabaId)) return mediaUrlReply(context, request, reply, media);
    if (state.isWaba(objectId) && mayUse(token, objectId)) {
      return reply.send({ id: objectId, name: `WhatsApp Business Account ${objectId}` });
    }
    return sendGraphError(reply, state, graphErrors.unknownObject('GET', objectId));
  });

  graph.delete('/:objectId', async (request, reply) => {
    const token = authenticate(request, reply, state);
    if (!token) return reply;
    const { objectId } = request.params as { objectId: string };
    const media = state.media(objectId);
    const owner = media ? state.phoneNumber(media.phoneNumberId) : undefined;
    if (!media || !owner || !mayUse(token, owner.wabaId)) {
      return sendGraphError(reply, state, graphErrors.unknownObject('DELETE', objectId));
    }
    state.deleteMedia(objectId);
    return reply.send({ success: true });
  });
}
