// Where the Traffic page's live numbers come from: Prometheus (two queries for the page) and
// the DestinationRules in the watch-backed cache (which version each subset selects).
import { cacheFor } from '@/lib/k8s/caches';
import { destinationRules } from '@/lib/k8s/resources';
import type { DestinationRule } from '@/lib/mesh/types';
import { instantQuery, rangeQuery } from './prometheus';
import { SPARKLINE, foldTrafficLive, trafficLivePromql, trafficSparklinePromql, type TrafficLive } from './traffic-live';

/** The live numbers of every service version (in one namespace, or all), at `now` (seconds). */
export async function trafficLive(namespace?: string, now = Date.now() / 1000): Promise<TrafficLive> {
  // On the step grid, so the points of two polls line up.
  const end = Math.floor(now / SPARKLINE.step) * SPARKLINE.step;
  const start = end - SPARKLINE.seconds;
  const [instant, sparklines, rules] = await Promise.all([
    instantQuery(trafficLivePromql(namespace)),
    rangeQuery(trafficSparklinePromql(namespace), start, end, SPARKLINE.step),
    cacheFor<DestinationRule>(destinationRules).then((cache) => cache.list()),
  ]);
  return foldTrafficLive(instant, sparklines, rules, start);
}
