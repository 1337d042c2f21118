// What Istio's injection-related analyzers share: the labels and names of sidecar injection, the
// namespaces it never touches, and how a pod shows that it carries the proxy.
import { parse } from 'yaml';
import { K } from '../kinds';
import { DEFAULT_ROOT_NAMESPACE } from '../lookups';
import { meshConfig } from '../mesh-config';
import type { AnalysisObject, View } from '../types';

export const PROXY_CONTAINER = 'istio-proxy';
export const INJECTION_LABEL = 'istio-injection';
export const REVISION_LABEL = 'istio.io/rev';
export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
export const SIDECAR_INJECT = 'sidecar.istio.io/inject';

/** Namespaces the injector ignores (istio/istio pkg/kube/inject IgnoredNamespaces). */
const IGNORED_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

/** The ignored namespaces, Istio's own and the mesh's root namespace: no sidecar is expected there. */
export const isSystemNamespace = (view: View, namespace: string | undefined) =>
  namespace === undefined || IGNORED_NAMESPACES.has(namespace) || namespace === DEFAULT_ROOT_NAMESPACE || namespace === meshConfig(view).rootNamespace;

export interface Container {
  name?: string;
  image?: string;
  restartPolicy?: string;
  securityContext?: { runAsUser?: number };
}
export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  hostNetwork?: boolean;
  securityContext?: { runAsUser?: number };
}
export interface DeploymentSpec {
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: PodSpec };
}

/**
 * The proxy container of a pod spec: a container named `istio-proxy`, or (native sidecars,
 * Kubernetes 1.29+) an init container of that name; Istio looks at both for pods.
 */
export function proxyContainer(spec: PodSpec | undefined, withInitContainers = true): Container | undefined {
  const candidates = [...(spec?.containers ?? []), ...(withInitContainers ? (spec?.initContainers ?? []) : [])];
  return candidates.find((container) => container.name === PROXY_CONTAINER);
}

/** The name of the injector's ConfigMap for a revision (`istio-sidecar-injector[-<rev>]`). */
export const injectorConfigMapName = (revision: string | undefined) =>
  !revision || revision === 'default' ? 'istio-sidecar-injector' : `istio-sidecar-injector-${revision}`;

const values = new WeakMap<AnalysisObject, Record<string, unknown> | null>();

/** The injector's Helm values (its ConfigMap's `values` key, JSON), or null when unreadable. */
export function injectorValues(view: View, revision: string | undefined): Record<string, unknown> | null {
  const configMap = view.get(K.ConfigMap, DEFAULT_ROOT_NAMESPACE, injectorConfigMapName(revision));
  if (!configMap) return null;
  if (!values.has(configMap)) {
    let parsed: unknown = null;
    try {
      parsed = parse(configMap.data?.values ?? '');
    } catch {
      parsed = null;
    }
    values.set(configMap, parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null);
  }
  return values.get(configMap)!;
}

/** A nested field of loosely typed values. */
export function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = current && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined;
  return current;
}
