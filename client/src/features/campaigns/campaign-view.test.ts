import { describe, expect, it } from 'vitest';
import { doneCount, funnel, type Report } from './campaign-view.ts';

// campaign.report counts cumulatively: 18 recipients, 6 read (so also delivered and sent), 4 more
// delivered, 5 more only sent, 2 failed, 1 skipped.
const report: Report = {
  campaignId: '0195f0c0-0000-7000-8000-000000000001',
  status: 'completed',
  total: 18,
  pending: 0,
  queued: 0,
  sent: 15,
  delivered: 10,
  read: 6,
  replied: 1,
  failed: 2,
  skipped: 1,
  cancelled: 0,
  failures: [],
  pricing: [],
  costUsd: 0,
};

describe('campaign progress', () => {
  it('reads the report as cumulative: every recipient done once, the funnel as reported', () => {
    expect(doneCount(report)).toBe(18);
    expect(funnel(report)).toEqual({ sent: 15, delivered: 10, read: 6 });
  });
});
