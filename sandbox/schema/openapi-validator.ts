// Validates custom objects the way kube-apiserver does for a structural CRD schema:
// types, enums, bounds, patterns, required fields, unknown fields (kubectl's strict
// field validation), oneOf/anyOf/allOf/not, and, in a second pass over the whole object,
// the CEL x-kubernetes-validations rules. Messages follow kube-apiserver's wording so
// clients see what a real cluster says.
import { Environment } from '@marcbachmann/cel-js';

export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  nullable?: boolean;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  not?: JsonSchema;
  description?: string;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-validations'?: { rule: string; message?: string; messageExpression?: string; fieldPath?: string; reason?: string }[];
}

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueTypeInvalid'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueUnknown';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  message: string;
}

const celEnv = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false })
  .registerFunction('isURL(string): bool', (value: string) => URL.canParse(value))
  .registerFunction({
    name: 'url',
    params: [{ name: 'value', type: 'string' }],
    returnType: 'map',
    handler: (value: string) => {
      const url = new URL(value);
      return new Map([
        ['scheme', url.protocol.replace(/:$/, '')],
        ['host', url.host],
      ]);
    },
  })
  .registerFunction({
    name: 'getScheme',
    receiverType: 'map',
    returnType: 'string',
    params: [],
    handler: (url: Map<string, string>) => url.get('scheme') ?? '',
  });

const compiled = new Map<string, (context: Record<string, unknown>) => unknown>();
function compile(rule: string) {
  let fn = compiled.get(rule);
  if (!fn) {
    const parsed = celEnv.parse(rule);
    fn = (context) => parsed(context);
    compiled.set(rule, fn);
  }
  return fn;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value === 'number' ? 'number' : typeof value;
}

function quote(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value !== null && typeof value === 'object') return `"${typeOf(value) === 'array' ? 'array' : 'object'}"`;
  return String(value);
}

// CEL wants int-typed values as BigInt; the schema says which numbers are integers.
function toCel(schema: JsonSchema, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'number') return schema.type === 'integer' || (schema['x-kubernetes-int-or-string'] && Number.isInteger(value)) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map((item) => (schema.items ? toCel(schema.items, item) : item));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const childSchema = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      out[key] = childSchema ? toCel(childSchema, child) : child;
    }
    return out;
  }
  return value;
}

const childSchemaOf = (schema: JsonSchema, key: string) =>
  schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);

// Whether a key the schema does not declare is unknown here (pruned, or refused under strict validation).
const refusesUnknown = (schema: JsonSchema) =>
  Boolean(schema.properties) &&
  !schema['x-kubernetes-preserve-unknown-fields'] &&
  !schema['x-kubernetes-embedded-resource'] &&
  schema.additionalProperties !== true &&
  typeof schema.additionalProperties !== 'object';

/**
 * Removes null values from fields that are not nullable, as kube-apiserver does before
 * validation (so a JSON patch that sets a field to null deletes it), and with `unknown`
 * the fields the schema does not know (kube-apiserver's pruning). Returns a new value.
 */
export function pruneNulls(schema: JsonSchema, value: unknown, unknown = false): unknown {
  if (Array.isArray(value)) return value.map((item) => (schema.items ? pruneNulls(schema.items, item, unknown) : item));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const childSchema = childSchemaOf(schema, key);
    if (child === null && !childSchema?.nullable) continue;
    if (unknown && !childSchema && refusesUnknown(schema)) continue;
    out[key] = childSchema ? pruneNulls(childSchema, child, unknown) : child;
  }
  return out;
}

/** Validates a value against a schema; an empty array means valid. */
export function validateSchema(schema: JsonSchema, value: unknown, path: string): FieldError[] {
  const errors: FieldError[] = [];
  check(schema, value, path, errors);
  return errors;
}

function check(schema: JsonSchema, value: unknown, path: string, errors: FieldError[]): void {
  if (value === null) {
    if (!schema.nullable)
      errors.push({
        type: 'FieldValueTypeInvalid',
        field: path,
        message: `${path}: Invalid value: "null": ${path} in body must be of type ${schema.type ?? 'object'}: "null"`,
      });
    return;
  }
  const actual = typeOf(value);
  if (schema['x-kubernetes-int-or-string']) {
    if (actual !== 'integer' && actual !== 'string') {
      errors.push({
        type: 'FieldValueTypeInvalid',
        field: path,
        message: `${path}: Invalid value: ${quote(value)}: ${path} in body must be of type integer or string: ${quote(actual)}`,
      });
      return;
    }
  } else if (schema.type && !(schema.type === actual || (schema.type === 'number' && actual === 'integer'))) {
    // kube-apiserver names the type it got, twice, and never the value.
    errors.push({
      type: 'FieldValueTypeInvalid',
      field: path,
      message: `${path}: Invalid value: ${quote(actual)}: ${path} in body must be of type ${schema.type}: ${quote(actual)}`,
    });
    return;
  }

  if (schema.enum && !schema.enum.some((allowed) => allowed === value)) {
    errors.push({
      type: 'FieldValueNotSupported',
      field: path,
      message: `${path}: Unsupported value: ${quote(value)}: supported values: ${schema.enum.map(quote).join(', ')}`,
    });
  }
  if (typeof value === 'number') checkNumber(schema, value, path, errors);
  if (typeof value === 'string') checkString(schema, value, path, errors);
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      errors.push({
        type: 'FieldValueInvalid',
        field: path,
        message: `${path}: Invalid value: ${value.length}: ${path} in body should have at least ${schema.minItems} items`,
      });
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      errors.push({ type: 'FieldValueTooMany', field: path, message: `${path}: Too many: ${value.length}: must have at most ${schema.maxItems} items` });
    if (schema.items) value.forEach((item, i) => check(schema.items!, item, `${path}[${i}]`, errors));
  } else if (actual === 'object') {
    checkObject(schema, value as Record<string, unknown>, path, errors);
  }

  if (schema.allOf) for (const sub of schema.allOf) check(sub, value, path, errors);
  if (schema.anyOf && !schema.anyOf.some((sub) => validateSchema(sub, value, path).length === 0)) {
    errors.push({
      type: 'FieldValueInvalid',
      field: path,
      message: `${path}: Invalid value: ${quote(value)}: ${path} in body must validate at least one schema (anyOf)`,
    });
  }
  if (schema.oneOf) {
    const matching = schema.oneOf.filter((sub) => validateSchema(sub, value, path).length === 0).length;
    if (matching !== 1) {
      const detail = describeOneOf(schema.oneOf, value);
      errors.push({
        type: 'FieldValueInvalid',
        field: path,
        message: `${path}: Invalid value: ${quote(value)}: ${path} in body must validate one and only one schema (oneOf)${detail}`,
      });
    }
  }
  if (schema.not && validateSchema(schema.not, value, path).length === 0) {
    errors.push({
      type: 'FieldValueInvalid',
      field: path,
      message: `${path}: Invalid value: ${quote(value)}: ${path} in body should not validate the schema (not)`,
    });
  }
}

// Istio expresses "at most one of these fields" as oneOf over `required`; name the fields.
function describeOneOf(options: JsonSchema[], value: unknown): string {
  if (value === null || typeof value !== 'object') return '';
  const fields = [...new Set(options.flatMap((o) => [...(o.required ?? []), ...(o.not?.anyOf?.flatMap((a) => a.required ?? []) ?? [])]))];
  const present = fields.filter((f) => f in (value as Record<string, unknown>));
  return present.length > 1 ? `: only one of ${present.join(', ')} may be set` : '';
}

function checkNumber(schema: JsonSchema, value: number, path: string, errors: FieldError[]) {
  if (schema.minimum !== undefined && (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)) {
    errors.push({
      type: 'FieldValueInvalid',
      field: path,
      message: `${path}: Invalid value: ${value}: ${path} in body should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}`,
    });
  }
  if (schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)) {
    errors.push({
      type: 'FieldValueInvalid',
      field: path,
      message: `${path}: Invalid value: ${value}: ${path} in body should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}`,
    });
  }
  if (schema.format === 'int32' && (value < -2147483648 || value > 2147483647)) {
    errors.push({ type: 'FieldValueInvalid', field: path, message: `${path}: Invalid value: ${value}: ${path} in body must be of type int32` });
  }
}

function checkString(schema: JsonSchema, value: string, path: string, errors: FieldError[]) {
  if (schema.minLength !== undefined && value.length < schema.minLength)
    errors.push({
      type: 'FieldValueInvalid',
      field: path,
      message: `${path}: Invalid value: ${quote(value)}: ${path} in body should be at least ${schema.minLength} chars long`,
    });
  if (schema.maxLength !== undefined && value.length > schema.maxLength)
    errors.push({ type: 'FieldValueTooLong', field: path, message: `${path}: Too long: may not be more than ${schema.maxLength} bytes` });
  if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value))
    errors.push({
      type: 'FieldValueInvalid',
      field: path,
      message: `${path}: Invalid value: ${quote(value)}: ${path} in body should match '${schema.pattern}'`,
    });
  if (schema.format === 'date-time' && Number.isNaN(Date.parse(value)))
    errors.push({
      type: 'FieldValueInvalid',
      field: path,
      message: `${path}: Invalid value: ${quote(value)}: ${path} in body must be of type date-time: ${quote(value)}`,
    });
}

function checkObject(schema: JsonSchema, value: Record<string, unknown>, path: string, errors: FieldError[]) {
  const keys = Object.keys(value);
  if (schema.minProperties !== undefined && keys.length < schema.minProperties)
    errors.push({
      type: 'FieldValueInvalid',
      field: path,
      message: `${path}: Invalid value: ${keys.length}: ${path} in body should have at least ${schema.minProperties} properties`,
    });
  if (schema.maxProperties !== undefined && keys.length > schema.maxProperties)
    errors.push({ type: 'FieldValueTooMany', field: path, message: `${path}: Too many: ${keys.length}: must have at most ${schema.maxProperties} items` });
  for (const field of schema.required ?? []) {
    if (!(field in value)) errors.push({ type: 'FieldValueRequired', field: join(path, field), message: `${join(path, field)}: Required value` });
  }
  for (const [key, child] of Object.entries(value)) {
    const childPath = join(path, key);
    const childSchema = childSchemaOf(schema, key);
    if (childSchema) check(childSchema, child, childPath, errors);
    else if (refusesUnknown(schema)) errors.push({ type: 'FieldValueUnknown', field: childPath, message: `unknown field "${childPath}"` });
  }
}

const rulesIn = new WeakMap<JsonSchema, boolean>();
/** Whether a schema carries CEL rules anywhere (kube-apiserver then builds a CEL validator for it). */
export function hasRules(schema: JsonSchema): boolean {
  let known = rulesIn.get(schema);
  if (known === undefined) {
    const children = [
      ...Object.values(schema.properties ?? {}),
      ...(typeof schema.additionalProperties === 'object' ? [schema.additionalProperties] : []),
      ...(schema.items ? [schema.items] : []),
    ];
    known = Boolean(schema['x-kubernetes-validations']?.length) || children.some(hasRules);
    rulesIn.set(schema, known);
  }
  return known;
}

/** Evaluates the CEL rules of a schema over a (structurally valid) value: each node's rules, then its children. */
export function validateRules(schema: JsonSchema, value: unknown, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const walk = (node: JsonSchema, v: unknown, at: string) => {
    if (v === null || v === undefined || !hasRules(node)) return;
    for (const validation of node['x-kubernetes-validations'] ?? []) checkRule(node, validation, v, at, errors);
    if (Array.isArray(v)) {
      if (node.items) v.forEach((item, i) => walk(node.items!, item, `${at}[${i}]`));
    } else if (typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) {
        const childSchema = childSchemaOf(node, key);
        if (childSchema) walk(childSchema, child, join(at, key));
      }
    }
  };
  walk(schema, value, path);
  return errors;
}

// cel-go's wording for the conversions cel-js reports in its own words.
function celErrorText(error: Error): string {
  const first = error.message.split('\n')[0]!;
  if (/invalid duration/i.test(first)) return "type conversion error from 'string' to 'google.protobuf.Duration'";
  if (/invalid timestamp/i.test(first)) return "type conversion error from 'string' to 'google.protobuf.Timestamp'";
  return first;
}

function checkRule(
  schema: JsonSchema,
  validation: NonNullable<JsonSchema['x-kubernetes-validations']>[number],
  value: unknown,
  path: string,
  errors: FieldError[],
) {
  if (/\boldSelf\b/.test(validation.rule)) return; // transition rules only apply to updates of an existing value
  const field = validation.fieldPath ? path + validation.fieldPath : path;
  // A rule's error names the schema type of the value ("object", "string"), never the value.
  const type = JSON.stringify(schema.type ?? '');
  const ruleText = validation.message?.trim() || validation.rule.trim();
  let result: unknown;
  try {
    result = compile(validation.rule)({ self: toCel(schema, value) });
  } catch (error) {
    errors.push({
      type: 'FieldValueInvalid',
      field,
      message: `${field}: Invalid value: ${type}: ${celErrorText(error as Error)} evaluating rule: ${ruleText}`,
    });
    return;
  }
  if (result !== true) {
    errors.push({ type: 'FieldValueInvalid', field, message: `${field}: Invalid value: ${type}: ${validation.message?.trim() || `failed rule: ${ruleText}`}` });
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
