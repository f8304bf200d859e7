import { stringify } from 'csv-stringify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import type { AppServices } from '../app-services.ts';
import { withTenant, type Tx } from '../db/tx.ts';
import { campaignById } from '../domains/campaigns/queries.ts';
import { recipientCsvColumns, recipientCsvRows, recipientsFilename } from '../domains/campaigns/service.ts';
import { hasRole, type Role } from '../domains/members/roles.ts';
import { caller } from './media.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const problem = (reply: FastifyReply, statusCode: number, error: string, message: string) =>
  reply.code(statusCode).send({ statusCode, error, message });

/**
 * GET /api/campaigns/:id/recipients.csv: every recipient of a campaign with its status, streamed a
 * page at a time (a campaign may have hundreds of thousands). Admins only, like campaigns themselves.
 */
export async function campaignRoutes(app: FastifyInstance, { services }: { services: AppServices }) {
  app.get('/api/campaigns/:id/recipients.csv', async (request, reply) => {
    const who = await caller(services, request, reply);
    if (!who) return reply;
    if (!hasRole(who.role as Role, 'admin'))
      return problem(reply, 403, 'Forbidden', 'Campaign reports need the admin role or higher.');
    const { id } = request.params as { id: string };
    const inTenant = <T>(fn: (tx: Tx) => Promise<T>) => withTenant(services.pools.app, who.tenantId, fn);
    const campaign = uuidPattern.test(id) ? await inTenant((tx) => tx.maybeOne(campaignById(id))) : null;
    if (!campaign) return problem(reply, 404, 'Not Found', 'No such campaign in this workspace.');
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${recipientsFilename(campaign.name)}"`)
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff');
    return reply.send(
      Readable.from(recipientCsvRows(inTenant, id)).pipe(
        stringify({ bom: true, header: true, columns: recipientCsvColumns }),
      ),
    );
  });
}
