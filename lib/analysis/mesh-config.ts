// Istio's mesh configuration, as analyzers need it: the `mesh` key of the `istio` ConfigMap in
// the control plane's namespace (or `istio-<revision>`), YAML. Defaults are Istio's.
import { parse } from 'yaml';
import { K } from './kinds';
import { DEFAULT_ROOT_NAMESPACE } from './lookups';
import type { AnalysisObject, View } from './types';

export interface MeshConfig {
  rootNamespace: string;
  trustDomain: string;
  /** Names of the extension providers declared in the mesh config. */
  extensionProviders: string[];
  defaultProviders: { metrics?: string[]; tracing?: string[]; accessLogging?: string[] };
  /** Whether a mesh config was found at all (analyzers that need one say so when it is missing). */
  found: boolean;
  raw: Record<string, unknown>;
}

const parsed = new WeakMap<AnalysisObject, MeshConfig>();

function fromConfigMap(configMap: AnalysisObject | undefined): MeshConfig {
  const text = configMap?.data?.mesh;
  let raw: Record<string, unknown> = {};
  if (text) {
    try {
      const value: unknown = parse(text);
      if (value && typeof value === 'object') raw = value as Record<string, unknown>;
    } catch {
      raw = {};
    }
  }
  const providers = Array.isArray(raw.extensionProviders) ? (raw.extensionProviders as { name?: unknown }[]) : [];
  return {
    rootNamespace: typeof raw.rootNamespace === 'string' ? raw.rootNamespace : DEFAULT_ROOT_NAMESPACE,
    trustDomain: typeof raw.trustDomain === 'string' ? raw.trustDomain : 'cluster.local',
    extensionProviders: providers.map((p) => p.name).filter((n): n is string => typeof n === 'string'),
    defaultProviders: (raw.defaultProviders as MeshConfig['defaultProviders']) ?? {},
    found: Boolean(configMap),
    raw,
  };
}

/** The mesh config (read through the view, so a change to the ConfigMap re-runs the checks that used it). */
export function meshConfig(view: View): MeshConfig {
  const configMap = view.get(K.ConfigMap, DEFAULT_ROOT_NAMESPACE, 'istio');
  if (!configMap) return fromConfigMap(undefined);
  let config = parsed.get(configMap);
  if (!config) parsed.set(configMap, (config = fromConfigMap(configMap)));
  return config;
}
