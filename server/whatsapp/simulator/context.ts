import type { FastifyRequest } from 'fastify';
import type { ResolvedOptions } from './options.ts';
import type { createSendLimiter } from './rate-limits.ts';
import type { Scheduler } from './scheduler.ts';
import type { SimulatorState } from './state.ts';
import type { StatusPipeline } from './statuses.ts';
import type { WebhookEmitter } from './webhook-emitter.ts';

/** What the route modules share. */
export interface SimulatorContext {
  options: ResolvedOptions;
  state: SimulatorState;
  scheduler: Scheduler;
  emitter: WebhookEmitter;
  statuses: StatusPipeline;
  limiter: ReturnType<typeof createSendLimiter>;
  /** Signs media download URLs. */
  mediaUrlKey: Buffer;
}

/** Base URL for links the simulator hands out (media downloads, paging). */
export function publicBaseUrl(context: SimulatorContext, request: FastifyRequest): string {
  return context.options.publicUrl ?? `${request.protocol}://${request.host}`;
}
