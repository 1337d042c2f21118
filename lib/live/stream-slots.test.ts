import { describe, expect, it } from 'vitest';
import { ApiError } from '@/lib/k8s/errors';
import { takeStreamSlot } from './stream-slots';

describe('stream slots', () => {
  it('counts open streams per person, refuses past the limit with 429, and frees a slot once on release', () => {
    const first = takeStreamSlot('ana', 2);
    takeStreamSlot('ana', 2);
    expect(() => takeStreamSlot('ana', 2)).toThrow(ApiError);
    try {
      takeStreamSlot('ana', 2);
    } catch (error) {
      expect((error as ApiError).status).toBe(429);
      expect((error as ApiError).message).toContain('2 live-update streams open (at most 2)');
    }
    expect(() => takeStreamSlot('bo', 2)).not.toThrow(); // another person
    first();
    first(); // twice is once
    const again = takeStreamSlot('ana', 2);
    expect(() => takeStreamSlot('ana', 2)).toThrow(ApiError);
    again();
  });
});
