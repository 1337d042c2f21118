// Discovery (/api, /apis, ...) and the OpenAPI documents kubectl reads to decide how to
// validate and patch (a PATCH operation with a fieldValidation parameter means the server
// validates fields itself) and to explain kinds.
import { createHash } from 'node:crypto';
import type { JsonSchema } from '../schema/openapi-validator.ts';
import type { ResourceRegistry, ResourceType } from './resources.ts';

export const serverVersion = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-meshdeck-sandbox',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function apiResource(t: ResourceType, version: string) {
  const base = {
    name: t.plural,
    // kube-apiserver fills singularName only for custom resources.
    singularName: t.crd ? t.singular : '',
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: t.verbs,
    ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
    ...(t.categories.length ? { categories: t.categories } : {}),
    storageVersionHash: createHash('sha256').update(`${t.group}/${version}/${t.kind}`).digest('base64').slice(0, 11),
  };
  const subs = t.subresources.map((s) => ({
    name: `${t.plural}/${s}`,
    singularName: '',
    namespaced: t.namespaced,
    kind: s === 'scale' ? 'Scale' : t.kind,
    ...(s === 'scale' ? { group: 'autoscaling', version: 'v1' } : {}),
    verbs: s === 'log' ? ['get'] : ['get', 'patch', 'update'],
  }));
  return [base, ...subs];
}

export function resourceList(registry: ResourceRegistry, group: string, version: string) {
  const types = registry.types.filter((t) => t.group === group && t.versions.includes(version));
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    // kube-apiserver leaves apiVersion out of the core group's list (/api/v1).
    ...(group ? { apiVersion: 'v1' } : {}),
    groupVersion: group ? `${group}/${version}` : version,
    resources: types.flatMap((t) => apiResource(t, version)),
  };
}

export function apiGroup(registry: ResourceRegistry, name: string) {
  const group = registry.groups().find((g) => g.name === name);
  if (!group) return undefined;
  const versions = group.versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions, preferredVersion: versions[0] };
}

export function apiGroupList(registry: ResourceRegistry) {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: registry.groups().map((g) => apiGroup(registry, g.name)) };
}

export function coreVersions(host: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }] };
}

// ---- OpenAPI ------------------------------------------------------------------------

const schemaName = (t: ResourceType, version: string) => {
  const reversed = (t.group || 'core').split('.').reverse().join('.');
  return `${t.group ? reversed : 'io.k8s.api.core'}.${version}.${t.kind}`;
};

// Built-in kinds are not schema-validated by the sandbox; their schema is left open.
const openObject: JsonSchema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

const objectMetaRef = { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' };

function kindSchema(t: ResourceType, version: string): Record<string, unknown> {
  const crdVersion = t.crd?.spec.versions.find((v) => v.name === version);
  const schema = (crdVersion?.schema.openAPIV3Schema ?? openObject) as Record<string, unknown>;
  const properties = {
    ...(schema.properties as Record<string, unknown> | undefined),
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { allOf: [objectMetaRef], description: 'Standard object metadata.' },
  };
  return { ...schema, properties, 'x-kubernetes-group-version-kind': [{ group: t.group, version, kind: t.kind }] };
}

function params(names: string[]) {
  return names.map((name) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } }));
}

function operations(t: ResourceType, version: string, ref: string) {
  const gvk = { 'x-kubernetes-group-version-kind': { group: t.group, version, kind: t.kind } };
  const body = { content: { '*/*': { schema: { $ref: ref } } }, required: true };
  const ok = { responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: ref } } } } } };
  const writeParams = params(['dryRun', 'fieldManager', 'fieldValidation']);
  const item = {
    get: { operationId: `read${t.kind}`, ...gvk, 'x-kubernetes-action': 'get', ...ok },
    put: { operationId: `replace${t.kind}`, ...gvk, 'x-kubernetes-action': 'put', parameters: writeParams, requestBody: body, ...ok },
    patch: {
      operationId: `patch${t.kind}`,
      ...gvk,
      'x-kubernetes-action': 'patch',
      parameters: [...writeParams, ...params(['force'])],
      // Strategic merge patch is not advertised: the built-in kinds' schemas here are open,
      // so kubectl computes those patches from its compiled-in types instead.
      requestBody: {
        content: {
          'application/json-patch+json': { schema: { type: 'object' } },
          'application/merge-patch+json': { schema: { type: 'object' } },
          'application/apply-patch+yaml': { schema: { type: 'object' } },
        },
        required: true,
      },
      ...ok,
    },
    delete: { operationId: `delete${t.kind}`, ...gvk, 'x-kubernetes-action': 'delete', ...ok },
  };
  const collection = {
    get: {
      operationId: `list${t.kind}`,
      ...gvk,
      'x-kubernetes-action': 'list',
      parameters: params(['labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', 'watch']),
      ...ok,
    },
    post: { operationId: `create${t.kind}`, ...gvk, 'x-kubernetes-action': 'post', parameters: writeParams, requestBody: body, ...ok },
  };
  return { item, collection };
}

/** The OpenAPI v3 document of one group-version, as served at /openapi/v3/apis/{group}/{version}. */
export function openApiV3Document(registry: ResourceRegistry, group: string, version: string): Record<string, unknown> | undefined {
  const types = registry.types.filter((t) => t.group === group && t.versions.includes(version) && !t.virtual);
  const virtual = registry.types.filter((t) => t.group === group && t.versions.includes(version) && t.virtual);
  if (types.length === 0 && virtual.length === 0) return undefined;
  const schemas: Record<string, unknown> = {
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
      type: 'object',
      description: 'ObjectMeta is metadata that all persisted resources must have.',
      properties: {
        name: { type: 'string' },
        namespace: { type: 'string' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        annotations: { type: 'object', additionalProperties: { type: 'string' } },
        resourceVersion: { type: 'string' },
        uid: { type: 'string' },
        generation: { type: 'integer', format: 'int64' },
        creationTimestamp: { type: 'string', format: 'date-time' },
      },
    },
  };
  const paths: Record<string, unknown> = {};
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  for (const t of [...types, ...virtual]) {
    const name = schemaName(t, version);
    schemas[name] = kindSchema(t, version);
    const ref = `#/components/schemas/${name}`;
    const { item, collection } = operations(t, version, ref);
    if (t.virtual) {
      paths[`${prefix}/${t.plural}`] = { post: collection.post };
      continue;
    }
    if (t.namespaced) {
      paths[`${prefix}/namespaces/{namespace}/${t.plural}`] = collection;
      paths[`${prefix}/namespaces/{namespace}/${t.plural}/{name}`] = item;
      paths[`${prefix}/${t.plural}`] = { get: collection.get };
    } else {
      paths[`${prefix}/${t.plural}`] = collection;
      paths[`${prefix}/${t.plural}/{name}`] = item;
    }
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: serverVersion.gitVersion }, paths, components: { schemas } };
}

/** The OpenAPI v3 index at /openapi/v3. */
export function openApiV3Index(registry: ResourceRegistry): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const add = (group: string, version: string) => {
    const key = group ? `apis/${group}/${version}` : `api/${version}`;
    const doc = openApiV3Document(registry, group, version);
    const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 32).toUpperCase();
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  };
  add('', 'v1');
  for (const g of registry.groups()) for (const v of g.versions) add(g.name, v);
  return { paths };
}

/** A Swagger 2.0 document of every kind, for clients that still read /openapi/v2. */
export function openApiV2Document(registry: ResourceRegistry): Record<string, unknown> {
  const definitions: Record<string, unknown> = {};
  const paths: Record<string, unknown> = {};
  for (const t of registry.types) {
    for (const version of t.versions) {
      const name = schemaName(t, version);
      const schema = kindSchema(t, version);
      definitions[name] = JSON.parse(JSON.stringify(schema).replaceAll('#/components/schemas/', '#/definitions/'));
      if (t.virtual) continue;
      const prefix = t.group ? `/apis/${t.group}/${version}` : `/api/${version}`;
      const path = t.namespaced ? `${prefix}/namespaces/{namespace}/${t.plural}/{name}` : `${prefix}/${t.plural}/{name}`;
      paths[path] = {
        patch: {
          operationId: `patch${t.kind}`,
          'x-kubernetes-group-version-kind': { group: t.group, version, kind: t.kind },
          parameters: ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((p) => ({ name: p, in: 'query', type: 'string', uniqueItems: true })),
          responses: { '200': { description: 'OK', schema: { $ref: `#/definitions/${name}` } } },
        },
      };
    }
  }
  definitions['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'] = { type: 'object' };
  return { swagger: '2.0', info: { title: 'Kubernetes', version: serverVersion.gitVersion }, paths, definitions };
}
