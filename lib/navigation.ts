import type { SearchKind } from '@/lib/mesh/search';

/** The dashboard's pages, in navigation order. Each feature adds its page here. */
export const pages = [
  { href: '/', label: 'Overview' },
  { href: '/traffic', label: 'Traffic' },
  { href: '/rollouts', label: 'Rollouts' },
  { href: '/graph', label: 'Graph' },
  { href: '/kpis', label: 'KPIs' },
  { href: '/resilience', label: 'Resilience' },
  { href: '/traces', label: 'Traces' },
  { href: '/security', label: 'Security' },
  { href: '/validation', label: 'Validation' },
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
 * Where each kind is shown: the page, the DataTable (urlKey) that lists it, filtered to the
 * object's name (`<table>.q`), and the parameter whose `namespace/name` opens its drawer.
 * These follow the pages' own tables: Traffic lists routes (one VirtualService may have
 * several, so it is filtered, not opened), Resilience rules, Security policies and JWT rules.
 */
const HOMES: Record<SearchKind, { href: string; table?: string; open?: string }> = {
  VirtualService: { href: '/traffic', table: 'routes' },
  DestinationRule: { href: '/resilience', table: 'rules', open: 'rule' },
  AuthorizationPolicy: { href: '/security', table: 'authz', open: 'policy' },
  RequestAuthentication: { href: '/security', table: 'jwt', open: 'jwt' },
  // mTLS is shown per namespace and workload, not per PeerAuthentication.
  PeerAuthentication: { href: '/security' },
  Service: { href: '/kpis' },
};

/** The page that shows one object, in its namespace, with its row found (and opened where it has a drawer). */
export function objectHref(object: { kind: SearchKind; namespace: string; name: string }): string {
  const home = HOMES[object.kind];
  if (object.kind === 'Service') {
    // The KPIs page opens a service's charts by name and namespace.
    return pageHref(home.href, { [NAMESPACE_PARAM]: object.namespace, service: object.name, serviceNamespace: object.namespace });
  }
  return pageHref(home.href, {
    [NAMESPACE_PARAM]: object.namespace,
    ...(home.table ? { [`${home.table}.q`]: object.name } : {}),
    ...(home.open ? { [home.open]: `${object.namespace}/${object.name}` } : {}),
  });
}

/** The Validation page's parameter that narrows it to one object's findings: `Kind/namespace/name`. */
export const FINDINGS_OBJECT_PARAM = 'object';

/** The Validation page showing one object's findings (the row badges of Traffic, Resilience and Security link here). */
export function findingsHref(object: { kind: string; namespace: string; name: string }): string {
  return pageHref('/validation', { [NAMESPACE_PARAM]: object.namespace, [FINDINGS_OBJECT_PARAM]: `${object.kind}/${object.namespace}/${object.name}` });
}

/** Whether a kind has a page that shows its objects (objectHref links there). */
export const hasObjectPage = (kind: string): kind is SearchKind => Object.hasOwn(HOMES, kind);
