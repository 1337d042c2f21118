// The live cluster as `npm run analyze` reads it: every kind the analyzers know (kinds.ts),
// found through discovery (so an Istio whose CRDs serve only v1beta1 or v1alpha3 is read too),
// listed cluster-wide and paged, through the project's Kubernetes client (lib/k8s/http.ts).
// A kind the server does not serve (404) or does not let us list (403) is "not loaded".
import { K } from '../kinds';
import type { AnalysisObject, Kind } from '../types';
import { IGNORED_NAMESPACES } from './documents';
import { ApiError } from '@/lib/k8s/errors';
import { kubeRequest } from '@/lib/k8s/http';
import { kubeConnection } from '@/lib/k8s/kube-config';

export interface NotLoaded {
  kind: Kind;
  /** Forbidden (403) rather than not served: the cluster may hold objects of it that we could not see. */
  forbidden: boolean;
  reason: string;
}

export interface ClusterRead {
  objects: AnalysisObject[];
  loaded: Kind[];
  notLoaded: NotLoaded[];
  context: string;
  /** The context's namespace, if it names one (istioctl's default for -n). */
  contextNamespace?: string;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}
interface Located {
  groupVersion: string;
  plural: string;
}
interface ObjectList {
  items?: AnalysisObject[];
  metadata?: { continue?: string };
}

const PAGE = 500;
const PARALLEL = 4;
const ISTIO_NAMESPACE = 'istio-system';

/** Where each kind is served: `{group}/{version}` and plural, from discovery; undefined when not served. */
async function discover(kinds: readonly Kind[]): Promise<Map<Kind, Located | undefined>> {
  const groups =
    (await kubeRequest<{ groups?: { name: string; preferredVersion?: { version: string }; versions: { version: string }[] }[] }>({ path: '/apis' })).groups ??
    [];
  const lists = new Map<string, Promise<ApiResource[]>>();
  const resources = (groupVersion: string) => {
    let list = lists.get(groupVersion);
    if (!list) {
      const path = groupVersion.includes('/') ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
      list = kubeRequest<{ resources?: ApiResource[] }>({ path }).then(
        (answer) => answer.resources ?? [],
        (error: unknown) => {
          if (error instanceof ApiError && (error.status === 404 || error.status === 503)) return []; // an aggregated API that is down
          throw error;
        },
      );
      lists.set(groupVersion, list);
    }
    return list;
  };
  const located = new Map<Kind, Located | undefined>();
  for (const kind of kinds) {
    const slash = kind.indexOf('/');
    const group = slash < 0 ? '' : kind.slice(0, slash);
    const name = slash < 0 ? kind : kind.slice(slash + 1);
    const info = groups.find((g) => g.name === group);
    const versions = group ? [info?.preferredVersion?.version, ...(info?.versions ?? []).map((v) => v.version)].filter((v): v is string => Boolean(v)) : ['v1'];
    located.set(kind, undefined);
    for (const version of [...new Set(versions)]) {
      const groupVersion = group ? `${group}/${version}` : version;
      const resource = (await resources(groupVersion)).find((r) => r.kind === name && !r.name.includes('/') && (r.verbs ?? ['list']).includes('list'));
      if (resource) {
        located.set(kind, { groupVersion, plural: resource.name });
        break;
      }
    }
  }
  return located;
}

/** Every object of one kind, page by page; only the Istio ConfigMaps and no Helm or token Secrets, as istioctl reads them. */
async function listKind(kind: Kind, where: Located): Promise<AnalysisObject[]> {
  const base = where.groupVersion.includes('/') ? `/apis/${where.groupVersion}` : `/api/${where.groupVersion}`;
  const kindName = kind.slice(kind.indexOf('/') + 1);
  const path = kind === K.ConfigMap ? `${base}/namespaces/${ISTIO_NAMESPACE}/${where.plural}` : `${base}/${where.plural}`;
  const objects: AnalysisObject[] = [];
  let token: string | undefined;
  do {
    const page = await kubeRequest<ObjectList>({ path, query: { limit: PAGE, continue: token }, timeoutMs: 60_000 });
    for (const item of page.items ?? []) {
      const { managedFields: _managedFields, ...metadata } = item.metadata as AnalysisObject['metadata'] & { managedFields?: unknown };
      objects.push({ ...item, apiVersion: where.groupVersion, kind: kindName, metadata });
    }
    token = page.metadata?.continue || undefined;
  } while (token);
  return objects.filter((object) => {
    if (object.metadata.namespace && IGNORED_NAMESPACES.has(object.metadata.namespace)) return false;
    if (kind === K.ConfigMap) return object.metadata.name.startsWith('istio');
    if (kind === K.Secret) return object.type !== 'helm.sh/release.v1' && object.type !== 'kubernetes.io/service-account-token';
    return true;
  });
}

/** Runs `work` over `items`, `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** Reads every analyzed kind from the cluster of the kubeconfig's current context (or MESHDECK_KUBE_CONTEXT). */
export async function readCluster(kinds: readonly Kind[] = Object.values(K)): Promise<ClusterRead> {
  const connection = kubeConnection();
  if (!connection.configured) throw new Error(connection.reason);
  const located = await discover(kinds);
  const objects: AnalysisObject[] = [];
  const loaded: Kind[] = [];
  const notLoaded: NotLoaded[] = [];
  await inParallel(kinds, PARALLEL, async (kind) => {
    const where = located.get(kind);
    if (!where) return void notLoaded.push({ kind, forbidden: false, reason: 'not served by the cluster' });
    try {
      objects.push(...(await listKind(kind, where)));
      loaded.push(kind);
    } catch (error) {
      if (!(error instanceof ApiError) || (error.status !== 403 && error.status !== 404)) throw error;
      const forbidden = error.status === 403;
      notLoaded.push({ kind, forbidden, reason: forbidden ? `forbidden: ${error.message}` : 'not served by the cluster' });
    }
  });
  const contextNamespace = connection.kc.getContextObject(connection.context)?.namespace;
  return {
    objects,
    loaded: loaded.sort(),
    notLoaded: notLoaded.sort((a, b) => a.kind.localeCompare(b.kind)),
    context: connection.context,
    ...(contextNamespace ? { contextNamespace } : {}),
  };
}
