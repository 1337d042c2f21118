/**
 * The service a host names, in the namespace of the resource that names it: "reviews",
 * "reviews.prod" and "reviews.prod.svc.cluster.local" are one service; other hosts
 * (external names) stay as they are.
 */
export function serviceKey(host: string, namespace: string): string {
  const name = host.split(':')[0]!;
  const parts = name.split('.');
  if (parts.length === 1) return `${name}.${namespace}`;
  if (parts.length === 2 || name.endsWith('.svc.cluster.local') || (parts.length === 3 && parts[2] === 'svc')) return `${parts[0]}.${parts[1]}`;
  return name;
}

/** A short display name: the service name for in-cluster hosts, the host otherwise. */
export function shortHost(host: string): string {
  const name = host.split(':')[0]!;
  return name.includes('.') && !name.endsWith('.svc.cluster.local') && name.split('.').length > 2 ? name : name.split('.')[0]!;
}
