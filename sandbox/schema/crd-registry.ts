// The CustomResourceDefinitions the sandbox serves, indexed for lookup and validation.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { pruneNulls, validateSchema, type FieldError, type JsonSchema } from './openapi-validator.ts';

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema: JsonSchema;
  additionalPrinterColumns?: { name: string; type: string; jsonPath: string; description?: string; priority?: number; format?: string }[];
  subresources?: { status?: object };
}

export interface Crd {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    group: string;
    names: { kind: string; plural: string; singular?: string; listKind?: string; shortNames?: string[]; categories?: string[] };
    scope: 'Namespaced' | 'Cluster';
    versions: (Omit<CrdVersion, 'schema'> & { schema: { openAPIV3Schema: JsonSchema } })[];
  };
}

/** Reads every CustomResourceDefinition in the given multi-document YAML files. */
export function loadCrdFiles(paths: string[]): Crd[] {
  const crds: Crd[] = [];
  for (const path of paths) {
    for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
      const value = doc.toJS() as Crd | null;
      if (value?.kind === 'CustomResourceDefinition') crds.push(value);
    }
  }
  return crds;
}

export class CrdRegistry {
  private readonly byGvk = new Map<string, { crd: Crd; version: CrdVersion }>();

  constructor(crds: Crd[]) {
    for (const crd of crds) this.add(crd);
  }

  add(crd: Crd): void {
    for (const v of crd.spec.versions) {
      const version: CrdVersion = { ...v, schema: v.schema.openAPIV3Schema };
      this.byGvk.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, { crd, version });
    }
  }

  lookup(apiVersion: string, kind: string): { crd: Crd; version: CrdVersion } | undefined {
    return this.byGvk.get(`${apiVersion}/${kind}`);
  }

  /**
   * Validates a custom object against its CRD version's schema, after pruning nulls
   * from non-nullable fields. Returns the pruned object and the field errors.
   */
  validate(object: { apiVersion?: string; kind?: string; [key: string]: unknown }): { object: typeof object; errors: FieldError[] } {
    const entry = this.lookup(object.apiVersion ?? '', object.kind ?? '');
    if (!entry) {
      return { object, errors: [{ type: 'FieldValueNotSupported', field: 'kind', message: `no matches for kind "${object.kind}" in version "${object.apiVersion}"` }] };
    }
    const { apiVersion, kind, metadata, ...body } = object;
    const schema = entry.version.schema;
    const bodySchema: JsonSchema = { ...schema, properties: Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([k]) => !['apiVersion', 'kind', 'metadata'].includes(k))) };
    const pruned = pruneNulls(bodySchema, body) as Record<string, unknown>;
    const errors = validateSchema(bodySchema, pruned, '');
    return { object: { apiVersion, kind, metadata, ...pruned }, errors };
  }
}
