// How often the Prometheus panels ask again: one choice for the whole console, kept in the URL
// (`?refresh=30`, `?refresh=off`) so a reload or a shared link keeps it. Kubernetes views are pushed
// (live-updates.ts) and never poll while the stream is up; the Prometheus panels the stream carries
// are read by the server at this refresh.
import { useUrlState } from '@/lib/url-state';
import { isStreamed } from './live-status';

export const REFRESH_PARAM = 'refresh';
/** The choices, in seconds; 0 is off. */
export const REFRESH_CHOICES = [0, 5, 10, 30, 60] as const;
export const DEFAULT_REFRESH_SECONDS = 10;

/** `?refresh=` as seconds: "off" or "0" is 0, a listed choice is itself, anything else the default. */
export function parseRefresh(value: string | null | undefined): number {
  if (value === 'off' || value === '0') return 0;
  if (!value) return DEFAULT_REFRESH_SECONDS;
  const seconds = Number(value);
  return (REFRESH_CHOICES as readonly number[]).includes(seconds) ? seconds : DEFAULT_REFRESH_SECONDS;
}

/** The value `?refresh=` holds for some seconds; the default is no parameter at all. */
export const refreshParamValue = (seconds: number): string | undefined =>
  seconds === DEFAULT_REFRESH_SECONDS ? undefined : seconds === 0 ? 'off' : String(seconds);

/**
 * A Prometheus query's polling at the chosen refresh, spread into its queryOptions: none while the
 * event stream carries it (the server reads Prometheus at that refresh and pushes what changed),
 * else every `seconds` (never when off). `meta.refreshSeconds` tells the stream the refresh.
 */
export const metricsPolling = (seconds: number) => ({
  refetchInterval: (query: { queryKey: readonly unknown[] }) => (seconds > 0 && !isStreamed(query) ? seconds * 1000 : false),
  staleTime: (query: { queryKey: readonly unknown[] }) => (isStreamed(query) ? Infinity : 2000),
  meta: { refreshSeconds: seconds },
});

/** The refresh the person picked for Prometheus panels, in seconds (0: off). */
export function useMetricsRefresh(): number {
  return parseRefresh(useUrlState(REFRESH_PARAM)[0]);
}

/** The refresh and its setter, for the picker. */
export function useMetricsRefreshSetting(): [number, (seconds: number) => void] {
  const [value, set] = useUrlState(REFRESH_PARAM);
  return [parseRefresh(value), (seconds) => set(refreshParamValue(seconds))];
}
