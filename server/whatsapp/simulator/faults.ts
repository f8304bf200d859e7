import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendGraphError } from './graph-replies.ts';
import type { SimulatorState } from './state.ts';

/**
 * Failures injected on purpose, to test retry logic against what Meta does on a bad day: a Graph error
 * (e.g. HTTP 500 code 2, HTTP 400 code 80007), a bare 5xx from a proxy, or a slow answer (timeouts).
 */
export interface InjectedFault {
  /** Only requests whose path contains this (e.g. `/messages`); any Graph request when absent. */
  path?: string;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  /** Wait before answering (or before handling normally when no status is given). */
  delayMs?: number;
  httpStatus?: number;
  /** With httpStatus: answer with a Graph error body of this code; without: a bare body. */
  code?: number;
  message?: string;
  /**
   * Handle the request as usual (a send is accepted, its statuses follow by webhook), then drop the
   * connection instead of answering: the caller cannot know that Meta took the message.
   */
  dropAfterAccept?: boolean;
}

/** Requests to handle, then answer by closing the connection (InjectedFault.dropAfterAccept). */
const dropAfterAccept = new WeakSet<FastifyRequest>();

/** For routes: closes the connection instead of answering when the request's fault says so. */
export function droppedAfterAccept(request: FastifyRequest, reply: FastifyReply): boolean {
  if (!dropAfterAccept.has(request)) return false;
  void reply.hijack();
  request.raw.socket.destroy();
  return true;
}

export function createFaults(state: SimulatorState) {
  const faults: (InjectedFault & { remaining: number })[] = [];

  return {
    add(fault: InjectedFault): void {
      faults.push({ ...fault, remaining: fault.times ?? 1 });
    },

    clear(): void {
      faults.length = 0;
    },

    /** onRequest hook for Graph routes; answers (and returns the reply) when a fault applies. */
    async apply(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
      const index = faults.findIndex((fault) => !fault.path || request.url.includes(fault.path));
      const fault = faults[index];
      if (!fault) return undefined;
      fault.remaining -= 1;
      if (fault.remaining <= 0) faults.splice(index, 1);
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault.dropAfterAccept) dropAfterAccept.add(request);
      if (fault.httpStatus === undefined) return undefined;
      if (fault.code === undefined) {
        return reply
          .code(fault.httpStatus)
          .type('text/html')
          .send(fault.message ?? '<html>Bad gateway</html>');
      }
      return sendGraphError(reply, state, {
        httpStatus: fault.httpStatus,
        code: fault.code,
        message: fault.message ?? `(#${fault.code}) Injected failure`,
      });
    },
  };
}

export type Faults = ReturnType<typeof createFaults>;
