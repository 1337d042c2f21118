// The kinds the sandbox serves: built-in Kubernetes kinds and the CRD-defined ones.
import type { Crd, CrdRegistry, CrdVersion } from '../schema/crd-registry.ts';
import { eventFromCore, eventToCore } from './events-v1.ts';
import type { KubeObject } from './store.ts';

export interface ResourceType {
  group: string;
  versions: string[]; // served versions, preferred (storage) first
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: string[];
  /** Virtual kinds (reviews) are created and answered, never stored. */
  virtual?: boolean;
  /** Whether the server keeps metadata.generation (custom resources and the kinds with a spec that controllers follow). */
  generation?: boolean;
  /**
   * A kind served from another kind's storage (events.k8s.io/v1 Event is a core/v1 Event):
   * the storage type key and the conversions of objects in and out.
   */
  storedAs?: { key: string; toStorage(object: KubeObject): KubeObject; fromStorage(object: KubeObject): KubeObject };
  crd?: Crd;
  printerColumns?: CrdVersion['additionalPrinterColumns'];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function builtin(group: string, version: string, kind: string, plural: string, namespaced: boolean, extra: Partial<ResourceType> = {}): ResourceType {
  return {
    group,
    versions: [version],
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames: [],
    categories: [],
    verbs: ALL_VERBS,
    subresources: [],
    ...extra,
  };
}

export const builtinTypes: ResourceType[] = [
  builtin('', 'v1', 'Namespace', 'namespaces', false, {
    shortNames: ['ns'],
    subresources: ['status'],
    verbs: ALL_VERBS.filter((v) => v !== 'deletecollection'),
  }),
  builtin('', 'v1', 'Service', 'services', true, { shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  builtin('', 'v1', 'Pod', 'pods', true, { shortNames: ['po'], categories: ['all'], subresources: ['log', 'status'] }),
  builtin('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  builtin('', 'v1', 'Secret', 'secrets', true),
  builtin('', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
  builtin('', 'v1', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'] }),
  builtin('apps', 'v1', 'Deployment', 'deployments', true, {
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    generation: true,
  }),
  builtin('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, { shortNames: ['pdb'], subresources: ['status'], generation: true }),
  builtin('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, { shortNames: ['netpol'], generation: true }),
  builtin('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  builtin('events.k8s.io', 'v1', 'Event', 'events', true, {
    shortNames: ['ev'],
    storedAs: { key: '/events', toStorage: eventToCore, fromStorage: eventFromCore },
  }),
  builtin('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  builtin('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  builtin('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
  builtin('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  builtin('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, { verbs: ['create'], virtual: true }),
  builtin('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', false, { verbs: ['create'], virtual: true }),
  // Istio's injector and validator register these; every real cluster serves them (cluster-scoped).
  builtin('admissionregistration.k8s.io', 'v1', 'MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', false, { generation: true }),
  builtin('admissionregistration.k8s.io', 'v1', 'ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', false, { generation: true }),
  builtin('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, {
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: ['status'],
    generation: true,
  }),
];

/** Looks kinds up by group and plural (URL paths) or by apiVersion and kind (bodies). */
export class ResourceRegistry {
  readonly types: ResourceType[] = [];
  readonly crds: CrdRegistry;

  constructor(crds: CrdRegistry, crdList: Crd[]) {
    this.crds = crds;
    this.types.push(...builtinTypes);
    for (const crd of crdList) this.addCrd(crd);
  }

  addCrd(crd: Crd): ResourceType {
    const served = crd.spec.versions.filter((v) => v.served);
    const storage = served.find((v) => v.storage) ?? served[0];
    const versions = [storage!.name, ...served.map((v) => v.name).filter((v) => v !== storage!.name)];
    const existing = this.types.findIndex((t) => t.group === crd.spec.group && t.plural === crd.spec.names.plural);
    const type: ResourceType = {
      group: crd.spec.group,
      versions,
      kind: crd.spec.names.kind,
      listKind: crd.spec.names.listKind ?? `${crd.spec.names.kind}List`,
      plural: crd.spec.names.plural,
      singular: crd.spec.names.singular ?? crd.spec.names.kind.toLowerCase(),
      namespaced: crd.spec.scope === 'Namespaced',
      shortNames: crd.spec.names.shortNames ?? [],
      categories: crd.spec.names.categories ?? [],
      verbs: ALL_VERBS,
      subresources: storage?.subresources?.status ? ['status'] : [],
      generation: true,
      crd,
      printerColumns: storage?.additionalPrinterColumns,
    };
    if (existing >= 0) this.types[existing] = type;
    else this.types.push(type);
    this.crds.add(crd);
    return type;
  }

  byPath(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.plural === plural && t.versions.includes(version));
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return this.types.find((t) => t.group === group && t.kind === kind && t.versions.includes(version!));
  }

  groups(): { name: string; versions: string[] }[] {
    const byGroup = new Map<string, string[]>();
    for (const t of this.types) {
      if (!t.group) continue;
      const versions = byGroup.get(t.group) ?? [];
      for (const v of t.versions) if (!versions.includes(v)) versions.push(v);
      byGroup.set(t.group, versions);
    }
    return [...byGroup].map(([name, versions]) => ({ name, versions: sortVersions(versions) }));
  }
}

// Kubernetes' version priority: GA > beta > alpha, higher numbers first.
function sortVersions(versions: string[]): string[] {
  const rank = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0];
    const stage = m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stage, Number(m[1]), Number(m[3] ?? 0)];
  };
  return [...versions].sort((a, b) => {
    const [sa, ma, na] = rank(a);
    const [sb, mb, nb] = rank(b);
    return sb! - sa! || mb! - ma! || nb! - na!;
  });
}

/** Where objects of a kind are stored (and watched): kinds sharing storage share the key. */
export function typeKey(t: ResourceType): string {
  return t.storedAs?.key ?? `${t.group}/${t.plural}`;
}

export const apiVersionOf = (type: ResourceType, version: string) => (type.group ? `${type.group}/${version}` : version);

/** The apiVersion objects of a kind are stored in (a CRD's storage version comes first). */
export function storageApiVersion(type: ResourceType): string {
  return apiVersionOf(type, type.versions[0]!);
}
