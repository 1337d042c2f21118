import { queryOptions, type QueryClient } from '@tanstack/react-query';
import type { DestinationOption } from '@/lib/k8s/virtual-services';
import type { VirtualServiceView } from '@/lib/mesh/traffic-split';
import { fetchJson } from './fetch-json';
import { queryKeys } from './keys';
import { pushedQuery } from './live-status';
import { trafficListUrl } from './traffic-url';

export interface TrafficList {
  items: VirtualServiceView[];
  resourceVersion: string;
}

export const trafficQuery = (namespace: string) =>
  queryOptions({
    queryKey: queryKeys.traffic.list(namespace),
    queryFn: () => fetchJson<TrafficList>(trafficListUrl(namespace)),
    // Changes made elsewhere (kubectl, another browser) are pushed by /api/events.
    ...pushedQuery,
  });

/** Where a route's weights, match or destinations edit goes (PUT; `?dryRun=true` previews it). */
export const routeUrl = (vs: { namespace: string; name: string }, index: number, what: string) =>
  `/api/traffic/${encodeURIComponent(vs.namespace)}/${encodeURIComponent(vs.name)}/routes/${index}/${what}`;

/** The hosts and DestinationRule subsets a route of this VirtualService can add as destinations. */
export const destinationOptionsQuery = (vs: { namespace: string; name: string }) =>
  queryOptions({
    queryKey: queryKeys.traffic.destinations(vs),
    queryFn: () => fetchJson<{ items: DestinationOption[] }>(`/api/traffic/${encodeURIComponent(vs.namespace)}/${encodeURIComponent(vs.name)}/destinations`),
  });

/**
 * Puts a VirtualService a write answered with into every cached Traffic list that shows it (its
 * namespace's and the all-namespaces one), so the page shows the applied state at once.
 */
export function storeVirtualService(client: QueryClient, item: VirtualServiceView): void {
  client.setQueriesData<TrafficList>({ queryKey: queryKeys.traffic.lists }, (list) =>
    list ? { ...list, items: list.items.map((vs) => (vs.namespace === item.namespace && vs.name === item.name ? item : vs)) } : list,
  );
}
