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

/** Builds a link that keeps the selected namespace. */
export function hrefWithNamespace(href: string, namespace: string | null | undefined): string {
  return namespace ? `${href}?${NAMESPACE_PARAM}=${encodeURIComponent(namespace)}` : href;
}
