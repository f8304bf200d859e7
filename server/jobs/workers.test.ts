import { describe, expect, it } from 'vitest';
import { queueNames, queueSettings } from './queues.ts';
import { jobHandlers } from './workers.ts';

describe('job handlers', () => {
  it('are one module per queue, each naming a queue that has a retry and dead-letter policy', () => {
    const queues = jobHandlers.map((handler) => handler.queue);
    expect(new Set(queues).size).toBe(queues.length);
    for (const handler of jobHandlers) {
      expect(queueNames).toContain(handler.queue);
      expect(handler.policy).toBe(queueSettings[handler.queue]);
    }
    expect(queues.sort()).toEqual([
      'analytics.rollup',
      'campaign.run',
      'contact.import',
      'conversation.wake',
      'mail.send',
      'media.fetch',
      'media.retention',
      'message.read',
      'message.send',
      'realtime.prune',
      'template.sync',
      'webhook.process',
      'webhook.retention',
    ]);
  });
});
