// Open event streams per person: one per tab is the design, so a few dozen is a person with many
// tabs and more is a script; each stream costs the server a read per topic on every change.
import { ApiError } from '@/lib/k8s/errors';

export const MAX_STREAMS_PER_PERSON = 24;

const open = new Map<string, number>();

/** Counts a stream for `person` until the returned release runs; refuses with 429 past the limit. */
export function takeStreamSlot(person: string, limit = MAX_STREAMS_PER_PERSON): () => void {
  const count = open.get(person) ?? 0;
  if (count >= limit) {
    throw new ApiError(
      429,
      `You have ${count} live-update streams open (at most ${limit}): close some Meshdeck tabs, or reload this one later`,
      'TooManyRequests',
    );
  }
  open.set(person, count + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (open.get(person) ?? 1) - 1;
    if (left > 0) open.set(person, left);
    else open.delete(person);
  };
}
