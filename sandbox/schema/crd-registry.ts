// The CustomResourceDefinitions the sandbox serves, indexed for lookup and validation.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { hasRules, pruneNulls, validateRules, validateSchema, type FieldError, type JsonSchema } from './openapi-validator.ts';

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

// Schema errors after which kube-apiserver does not run CEL rules.
const BLOCKING = new Set<FieldError['type']>([
  'FieldValueNotSupported',
  'FieldValueRequired',
  'FieldValueTooLong',
  'FieldValueTooMany',
  'FieldValueTypeInvalid',
]);
const rulesNotChecked: FieldError = {
  type: 'FieldValueInvalid',
  field: '<nil>',
  message:
    '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
};

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
   * Validates a custom object against its CRD version's schema as kube-apiserver does:
   * nulls in non-nullable fields and unknown fields are pruned (the unknown ones are also
   * reported as FieldValueUnknown, for strict field validation), then the schema is
   * checked, then the CEL rules, unless a blocking error (type, required, enum, too long,
   * too many) made kube-apiserver skip them with its "<nil>" error. Returns the pruned
   * object and the field errors.
   */
  validate(object: { apiVersion?: string; kind?: string; [key: string]: unknown }): { object: typeof object; errors: FieldError[] } {
    const entry = this.lookup(object.apiVersion ?? '', object.kind ?? '');
    if (!entry) {
      return {
        object,
        errors: [{ type: 'FieldValueNotSupported', field: 'kind', message: `no matches for kind "${object.kind}" in version "${object.apiVersion}"` }],
      };
    }
    const { apiVersion, kind, metadata, ...body } = object;
    const bodySchema = this.bodySchema(entry.version.schema);
    const errors = validateSchema(bodySchema, pruneNulls(bodySchema, body), '');
    const pruned = pruneNulls(bodySchema, body, true) as Record<string, unknown>;
    if (hasRules(bodySchema)) {
      if (errors.some((e) => BLOCKING.has(e.type))) errors.push(rulesNotChecked);
      else errors.push(...validateRules(bodySchema, pruned, ''));
    }
    return { object: { apiVersion, kind, metadata, ...pruned }, errors };
  }

  private readonly bodySchemas = new WeakMap<JsonSchema, JsonSchema>();
  // The schema without apiVersion, kind and metadata, which the API server checks itself.
  private bodySchema(schema: JsonSchema): JsonSchema {
    let body = this.bodySchemas.get(schema);
    if (!body) {
      body = {
        ...schema,
        properties: Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([k]) => !['apiVersion', 'kind', 'metadata'].includes(k))),
      };
      this.bodySchemas.set(schema, body);
    }
    return body;
  }
}
