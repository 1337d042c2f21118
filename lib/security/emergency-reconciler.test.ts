import { describe, expect, it } from 'vitest';
import { shouldTake } from './emergency-reconciler';

describe('lease leadership', () => {
  const now = Date.parse('2026-11-24T10:00:00Z');
  it('takes a free lease, renews its own, and waits while another holder is fresh', () => {
    expect(shouldTake({}, 'me', now)).toBe(true);
    expect(shouldTake({ holderIdentity: 'me', renewTime: '2026-11-24T09:59:59.000000Z' }, 'me', now)).toBe(true);
    expect(shouldTake({ holderIdentity: 'other', renewTime: '2026-11-24T09:59:55.000000Z', leaseDurationSeconds: 15 }, 'me', now)).toBe(false);
  });
  it('takes over a lease whose holder stopped renewing', () => {
    expect(shouldTake({ holderIdentity: 'other', renewTime: '2026-11-24T09:59:30.000000Z', leaseDurationSeconds: 15 }, 'me', now)).toBe(true);
  });
});
