import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { serverEnv } from '@/lib/env';
import { isDnsLabel, LABEL_RULE } from '@/lib/mesh/names';

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Where the dashboard's cluster credentials come from. */
export type KubeSource =
  | { kind: 'kubeconfig'; paths: string[] }
  | { kind: 'in-cluster' }
  | { kind: 'none'; reason: string };

export type Env = Record<string, string | undefined>;

/**
 * Decides where to load credentials from, the way kubectl does: $KUBECONFIG, then
 * ~/.kube/config, then the pod's service account. Pure, so it is testable.
 */
export function resolveKubeSource(env: Env, fileExists: (path: string) => boolean, home: string): KubeSource {
  if (env.KUBECONFIG) {
    const paths = env.KUBECONFIG.split(delimiter).filter(Boolean);
    const present = paths.filter(fileExists);
    if (present.length > 0) return { kind: 'kubeconfig', paths: present };
    return { kind: 'none', reason: `KUBECONFIG points at ${paths.join(', ')}, which does not exist` };
  }
  const defaultPath = join(home, '.kube', 'config');
  if (fileExists(defaultPath)) return { kind: 'kubeconfig', paths: [defaultPath] };
  if (env.KUBERNETES_SERVICE_HOST && fileExists(IN_CLUSTER_TOKEN)) return { kind: 'in-cluster' };
  return { kind: 'none', reason: 'No kubeconfig found: set KUBECONFIG, create ~/.kube/config, or run in a pod with a service account' };
}

export type KubeConnection =
  | {
      configured: true;
      kc: KubeConfig;
      context: string;
      server: string;
      source: KubeSource['kind'];
      /** MESHDECK_NAMESPACES: the only namespaces the dashboard reads (undefined: all, cluster-wide). */
      namespaces?: string[];
    }
  | { configured: false; reason: string };

/**
 * Parses MESHDECK_NAMESPACES ("team-a,team-b"): the namespaces to read one by one instead of
 * cluster-wide, for an identity whose RBAC covers only those. Unset or blank means all.
 */
export function parseNamespaceAllowList(value: string | undefined): { namespaces?: string[] } | { error: string } {
  const names = [...new Set((value ?? '').split(',').map((n) => n.trim()).filter(Boolean))];
  if (names.length === 0) return {};
  const bad = names.filter((n) => !isDnsLabel(n));
  if (bad.length > 0) {
    return { error: `MESHDECK_NAMESPACES lists ${bad.map((n) => `"${n}"`).join(', ')}, which ${bad.length === 1 ? 'is not a namespace name' : 'are not namespace names'}: use ${LABEL_RULE}, separated by commas` };
  }
  return { namespaces: names.sort() };
}

/** Builds the KubeConfig for the configured source and context (MESHDECK_KUBE_CONTEXT overrides the current one). */
export function buildKubeConnection(env: Env = serverEnv()): KubeConnection {
  const allowList = parseNamespaceAllowList(env.MESHDECK_NAMESPACES);
  if ('error' in allowList) return { configured: false, reason: allowList.error };
  const source = resolveKubeSource(env, existsSync, homedir());
  if (source.kind === 'none') return { configured: false, reason: source.reason };

  const kc = new KubeConfig();
  try {
    if (source.kind === 'in-cluster') kc.loadFromCluster();
    else kc.loadFromDefault();
  } catch (error) {
    return { configured: false, reason: `Could not read the kubeconfig: ${(error as Error).message}` };
  }

  const wanted = env.MESHDECK_KUBE_CONTEXT;
  if (wanted) {
    if (!kc.getContextObject(wanted)) {
      const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
      return { configured: false, reason: `MESHDECK_KUBE_CONTEXT="${wanted}" is not in the kubeconfig (contexts: ${known})` };
    }
    kc.setCurrentContext(wanted);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) return { configured: false, reason: `The kubeconfig's current context "${kc.getCurrentContext()}" names no cluster` };
  return { configured: true, kc, context: kc.getCurrentContext(), server: cluster.server, source: source.kind, namespaces: allowList.namespaces };
}

const globalKey = Symbol.for('meshdeck.kubeConnection');
type GlobalWithKube = typeof globalThis & { [globalKey]?: KubeConnection };

/** The process-wide connection, built once (kept on globalThis so dev reloads reuse it). */
export function kubeConnection(): KubeConnection {
  const g = globalThis as GlobalWithKube;
  g[globalKey] ??= buildKubeConnection();
  return g[globalKey];
}
