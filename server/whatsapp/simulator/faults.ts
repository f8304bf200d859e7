import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendGraphError } from './graph-replies.ts';
import type { SimulatorState } from './state.ts';

/**
 * Failures injected on purpose, to test retry logic against what Meta does on a bad day: a Graph error
 * (e.g. HTTP 500 code 2, HTTP 400 code 80007, a 130429 storm), a bare 5xx from a proxy, a slow answer
 * (timeouts), a connection reset, or a send accepted whose answer is late or never comes. With
 * `probability`, a fault applies to that share of matching requests (chaos mode: several at once).
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
  /** Handle the request as usual (a send is accepted), then wait this long before answering. */
  answerDelayMs?: number;
  /** Reset the connection before handling the request (nothing reaches "Meta"). */
  resetConnection?: boolean;
  /** Applies to this share (0-1) of the matching requests; to every one when absent. */
  probability?: number;
}

/** Requests to handle, then answer by closing the connection (InjectedFault.dropAfterAccept). */
const dropAfterAccept = new WeakSet<FastifyRequest>();

/** Requests whose answer waits after they were handled (InjectedFault.answerDelayMs). */
const answerDelays = new WeakMap<FastifyRequest, number>();

/**
 * For routes, once a request is accepted: waits when its fault says so, then closes the connection
 * instead of answering when it says that (true: nothing more to send).
 */
export async function droppedAfterAccept(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  const delay = answerDelays.get(request);
  if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
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
      const index = faults.findIndex(
        (fault) =>
          (!fault.path || request.url.includes(fault.path)) &&
          (fault.probability === undefined || Math.random() < fault.probability),
      );
      const fault = faults[index];
      if (!fault) return undefined;
      fault.remaining -= 1;
      if (fault.remaining <= 0) faults.splice(index, 1);
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault.resetConnection) {
        void reply.hijack();
        request.raw.socket.destroy();
        return reply;
      }
      if (fault.dropAfterAccept) dropAfterAccept.add(request);
      if (fault.answerDelayMs) answerDelays.set(request, fault.answerDelayMs);
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
