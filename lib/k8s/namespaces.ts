import { cacheFor } from './caches';
import type { KubeObject } from './resource-cache';
import { namespaces } from './resources';

export interface NamespaceSummary {
  name: string;
  phase: string;
  /** Whether Istio injects sidecars into new pods here (label istio-injection=enabled or istio.io/rev). */
  sidecarInjection: boolean;
  createdAt: string | undefined;
}

type Namespace = KubeObject & {
  metadata?: { labels?: Record<string, string>; creationTimestamp?: string | Date };
  status?: { phase?: string };
};

/** Summarises a Namespace object for the UI. */
export function summarizeNamespace(ns: Namespace): NamespaceSummary {
  const labels = ns.metadata?.labels ?? {};
  const created = ns.metadata?.creationTimestamp;
  return {
    name: ns.metadata?.name ?? '',
    phase: ns.status?.phase ?? 'Active',
    sidecarInjection: labels['istio-injection'] === 'enabled' || Boolean(labels['istio.io/rev']),
    createdAt: created instanceof Date ? created.toISOString() : created,
  };
}

/** Every namespace, read from the watch-backed cache. */
export async function listNamespaces(): Promise<NamespaceSummary[]> {
  const cache = await cacheFor<Namespace>(namespaces);
  return cache.list().map(summarizeNamespace);
}
