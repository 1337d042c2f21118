import type { SearchKind } from '@/lib/mesh/search';

/** The dashboard's pages, in navigation order. Each feature adds its page here. */
export const pages = [
  { href: '/', label: 'Overview' },
  { href: '/traffic', label: 'Traffic' },
  { href: '/kpis', label: 'KPIs' },
  { href: '/resilience', label: 'Resilience' },
  { href: '/traces', label: 'Traces' },
  { href: '/security', label: 'Security' },
  { href: '/audit', label: 'Audit' },
] as const;

/** The search parameter that carries the selected namespace ("" or absent: all namespaces). */
export const NAMESPACE_PARAM = 'namespace';

/** The cookie that keeps the side navigation collapsed; read on the server so the first paint matches. */
export const NAV_COOKIE = 'meshdeck-nav';
export const parseNavCollapsed = (value: string | undefined) => value === 'collapsed';

/** Builds a link that keeps the selected namespace. */
export function hrefWithNamespace(href: string, namespace: string | null | undefined): string {
  return namespace ? `${href}?${NAMESPACE_PARAM}=${encodeURIComponent(namespace)}` : href;
}

/** A page link with query parameters (empty values left out), e.g. `pageHref('/audit', { namespace: 'a' })`. */
export function pageHref(href: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => Boolean(entry[1]))).toString();
  return query ? `${href}?${query}` : href;
}

/**
 * Where each kind is shown, and the table (DataTable urlKey) that lists it there: a link
 * filters that table to the object's name (`<urlKey>.q`) and opens its row (`<urlKey>.open`).
 */
const HOMES: Record<SearchKind, { href: string; table: string }> = {
  VirtualService: { href: '/traffic', table: 'routes' },
  DestinationRule: { href: '/resilience', table: 'rules' },
  PeerAuthentication: { href: '/security', table: 'policies' },
  RequestAuthentication: { href: '/security', table: 'policies' },
  AuthorizationPolicy: { href: '/security', table: 'policies' },
  Service: { href: '/kpis', table: 'services' },
};

/** The page that shows one object, in its namespace, with its row found and opened. */
export function objectHref(object: { kind: SearchKind; namespace: string; name: string }): string {
  const home = HOMES[object.kind];
  if (object.kind === 'Service') {
    // The KPIs page opens a service's charts by name and namespace.
    return pageHref(home.href, { [NAMESPACE_PARAM]: object.namespace, service: object.name, serviceNamespace: object.namespace });
  }
  return pageHref(home.href, {
    [NAMESPACE_PARAM]: object.namespace,
    [`${home.table}.q`]: object.name,
    [`${home.table}.open`]: `${object.namespace}/${object.name}`,
  });
}
