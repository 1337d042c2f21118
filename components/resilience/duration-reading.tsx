import { describeDuration } from '@/lib/mesh/duration';
import { HttpError } from '@/lib/queries/fetch-json';

/** What a duration reads as ("90s" reads "= 1m30s"), beside the stored string the input keeps as it is. */
export function DurationReading({ value }: { value: string }) {
  const reads = value.trim() ? describeDuration(value) : undefined;
  return reads ? <span className="muted">= {reads}</span> : null;
}

/** A write refused because the object changed after the editor started from it. */
export const isConflict = (error: unknown): error is HttpError => error instanceof HttpError && error.status === 409;
