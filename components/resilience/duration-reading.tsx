import { describeDuration } from '@/lib/mesh/duration';

/** What a duration reads as ("90s" reads "= 1m30s"), beside the stored string the input keeps as it is. */
export function DurationReading({ value }: { value: string }) {
  const reads = value.trim() ? describeDuration(value) : undefined;
  return reads ? <span className="muted">= {reads}</span> : null;
}
