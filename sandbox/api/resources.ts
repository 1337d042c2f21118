// The kinds the sandbox serves: built-in Kubernetes kinds and the CRD-defined ones.
import type { Crd, CrdRegistry, CrdVersion } from '../schema/crd-registry.ts';

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
  builtin('', 'v1', 'Namespace', 'namespaces', false, { shortNames: ['ns'], subresources: ['status'] }),
  builtin('', 'v1', 'Service', 'services', true, { shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  builtin('', 'v1', 'Pod', 'pods', true, { shortNames: ['po'], categories: ['all'], subresources: ['status'] }),
  builtin('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  builtin('', 'v1', 'Secret', 'secrets', true),
  builtin('', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
  builtin('', 'v1', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'] }),
  builtin('apps', 'v1', 'Deployment', 'deployments', true, { shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'] }),
  builtin('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  builtin('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  builtin('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  builtin('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
  builtin('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  builtin('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, { verbs: ['create'], virtual: true }),
  builtin('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', false, { verbs: ['create'], virtual: true }),
  builtin('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, { shortNames: ['crd', 'crds'], categories: ['api-extensions'], subresources: ['status'] }),
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

export function typeKey(t: ResourceType): string {
  return `${t.group}/${t.plural}`;
}
