// What the header's search looks through: the watch caches of the kinds it finds, read as
// they are (never a fresh LIST per keystroke), reshaped for lib/mesh/search.
import { serviceHosts, type Searchable, type SearchKind } from '@/lib/mesh/search';
import type { DestinationRule, VirtualService } from '@/lib/mesh/types';
import { cacheFor } from './caches';
import type { KubeObject } from './resource-cache';
import {
  authorizationPolicies,
  destinationRules,
  peerAuthentications,
  requestAuthentications,
  services,
  virtualServices,
  type ResourceDescriptor,
} from './resources';

/** Each kind the search finds, with the descriptor whose cache (and RBAC) it comes from. */
export const SEARCHED: { kind: SearchKind; descriptor: ResourceDescriptor; hosts: (object: KubeObject) => string[] }[] = [
  { kind: 'VirtualService', descriptor: virtualServices, hosts: (o) => (o as unknown as VirtualService).spec?.hosts ?? [] },
  { kind: 'DestinationRule', descriptor: destinationRules, hosts: (o) => [(o as unknown as DestinationRule).spec?.host].filter((h): h is string => Boolean(h)) },
  { kind: 'Service', descriptor: services, hosts: (o) => serviceHosts(o.metadata?.namespace ?? '', o.metadata?.name ?? '') },
  { kind: 'PeerAuthentication', descriptor: peerAuthentications, hosts: () => [] },
  { kind: 'RequestAuthentication', descriptor: requestAuthentications, hosts: () => [] },
  { kind: 'AuthorizationPolicy', descriptor: authorizationPolicies, hosts: () => [] },
];

/** Every searchable object of one kind, from its watch cache (started on first use). */
export async function searchablesOf(searched: (typeof SEARCHED)[number]): Promise<Searchable[]> {
  const cache = await cacheFor<KubeObject>(searched.descriptor);
  return cache.list().map((object) => ({
    kind: searched.kind,
    namespace: object.metadata?.namespace ?? '',
    name: object.metadata?.name ?? '',
    hosts: searched.hosts(object),
  }));
}
