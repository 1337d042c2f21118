import { cacheFor } from './caches';
import { toApiError } from './errors';
import { kubeRequest } from './http';
import { kubeConnection } from './kube-config';
import type { KubeObject } from './resource-cache';
import { namespaces, objectPath } from './resources';

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

/**
 * Every namespace, read from the watch-backed cache; with MESHDECK_NAMESPACES only those,
 * each read by name (an identity limited to them may not list namespaces cluster-wide).
 */
export async function listNamespaces(): Promise<NamespaceSummary[]> {
  const connection = kubeConnection();
  if (connection.configured && connection.namespaces) return Promise.all(connection.namespaces.map(readAllowed)).then((all) => all.filter((n) => n !== undefined));
  const cache = await cacheFor<Namespace>(namespaces);
  return cache.list().map(summarizeNamespace);
}

async function readAllowed(name: string): Promise<NamespaceSummary | undefined> {
  try {
    return summarizeNamespace(await kubeRequest<Namespace>({ path: objectPath(namespaces, undefined, name) }));
  } catch (error) {
    const { status } = toApiError(error);
    if (status === 404) return undefined; // allowed, but not created (yet)
    // Reading a namespace object needs its own permission; being allowed to work in it is enough here.
    if (status === 403) return { name, phase: 'Unknown', sidecarInjection: false, createdAt: undefined };
    throw error;
  }
}
