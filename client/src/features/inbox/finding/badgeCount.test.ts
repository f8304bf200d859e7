import { describe, expect, it } from 'vitest';
import { badgeCount } from './badgeCount.ts';

describe('badgeCount', () => {
  it('shows the count up to 99 and "99+" above', () => {
    expect(badgeCount(1)).toBe('1');
    expect(badgeCount(99)).toBe('99');
    expect(badgeCount(100)).toBe('99+');
    expect(badgeCount(12_345)).toBe('99+');
  });
});
