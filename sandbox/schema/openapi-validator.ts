// Validates custom objects the way kube-apiserver does for a structural CRD schema:
// types, enums, bounds, patterns, required fields, unknown fields (kubectl's strict
// field validation), oneOf/anyOf/allOf/not, and the CEL x-kubernetes-validations rules.
// Messages follow kube-apiserver's wording so clients see what a real cluster says.
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

export type FieldErrorType = 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueTypeInvalid' | 'FieldValueTooLong' | 'FieldValueTooMany' | 'FieldValueUnknown';

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
      return new Map([['scheme', url.protocol.replace(/:$/, '')], ['host', url.host]]);
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

/**
 * Removes null values from fields that are not nullable, as kube-apiserver does before
 * validation (so a JSON patch that sets a field to null deletes it). Returns a new value.
 */
export function pruneNulls(schema: JsonSchema, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (schema.items ? pruneNulls(schema.items, item) : item));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const childSchema = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (child === null && !childSchema?.nullable) continue;
    out[key] = childSchema ? pruneNulls(childSchema, child) : child;
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
  const errorsBefore = errors.length;
  if (value === null) {
    if (!schema.nullable) errors.push({ type: 'FieldValueTypeInvalid', field: path, message: `${path}: Invalid value: "null": ${path} in body must be of type ${schema.type ?? 'object'}: "null"` });
    return;
  }
  const actual = typeOf(value);
  if (schema['x-kubernetes-int-or-string']) {
    if (actual !== 'integer' && actual !== 'string') {
      errors.push({ type: 'FieldValueTypeInvalid', field: path, message: `${path}: Invalid value: ${quote(value)}: ${path} in body must be of type integer or string: ${quote(actual)}` });
      return;
    }
  } else if (schema.type && !(schema.type === actual || (schema.type === 'number' && actual === 'integer'))) {
    errors.push({ type: 'FieldValueTypeInvalid', field: path, message: `${path}: Invalid value: ${quote(actual)}: ${path} in body must be of type ${schema.type}: ${quote(value)}` });
    return;
  }

  if (schema.enum && !schema.enum.some((allowed) => allowed === value)) {
    errors.push({ type: 'FieldValueNotSupported', field: path, message: `${path}: Unsupported value: ${quote(value)}: supported values: ${schema.enum.map(quote).join(', ')}` });
  }
  if (typeof value === 'number') checkNumber(schema, value, path, errors);
  if (typeof value === 'string') checkString(schema, value, path, errors);
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push({ type: 'FieldValueInvalid', field: path, message: `${path}: Invalid value: ${value.length}: ${path} in body should have at least ${schema.minItems} items` });
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push({ type: 'FieldValueTooMany', field: path, message: `${path}: Too many: ${value.length}: must have at most ${schema.maxItems} items` });
    if (schema.items) value.forEach((item, i) => check(schema.items!, item, `${path}[${i}]`, errors));
  } else if (actual === 'object') {
    checkObject(schema, value as Record<string, unknown>, path, errors);
  }

  if (schema.allOf) for (const sub of schema.allOf) check(sub, value, path, errors);
  if (schema.anyOf && !schema.anyOf.some((sub) => validateSchema(sub, value, path).length === 0)) {
    errors.push({ type: 'FieldValueInvalid', field: path, message: `${path}: Invalid value: ${quote(value)}: ${path} in body must validate at least one schema (anyOf)` });
  }
  if (schema.oneOf) {
    const matching = schema.oneOf.filter((sub) => validateSchema(sub, value, path).length === 0).length;
    if (matching !== 1) {
      const detail = describeOneOf(schema.oneOf, value);
      errors.push({ type: 'FieldValueInvalid', field: path, message: `${path}: Invalid value: ${quote(value)}: ${path} in body must validate one and only one schema (oneOf)${detail}` });
    }
  }
  if (schema.not && validateSchema(schema.not, value, path).length === 0) {
    errors.push({ type: 'FieldValueInvalid', field: path, message: `${path}: Invalid value: ${quote(value)}: ${path} in body should not validate the schema (not)` });
  }

  // CEL rules run only where the value is otherwise valid, as in kube-apiserver.
  if (schema['x-kubernetes-validations'] && errors.length === errorsBefore) {
    for (const validation of schema['x-kubernetes-validations']) checkRule(schema, validation, value, path, errors);
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
    errors.push({ type: 'FieldValueInvalid', field: path, message: `${path}: Invalid value: ${value}: ${path} in body should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}` });
  }
  if (schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)) {
    errors.push({ type: 'FieldValueInvalid', field: path, message: `${path}: Invalid value: ${value}: ${path} in body should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}` });
  }
  if (schema.format === 'int32' && (value < -2147483648 || value > 2147483647)) {
    errors.push({ type: 'FieldValueInvalid', field: path, message: `${path}: Invalid value: ${value}: ${path} in body must be of type int32` });
  }
}

function checkString(schema: JsonSchema, value: string, path: string, errors: FieldError[]) {
  if (schema.minLength !== undefined && value.length < schema.minLength) errors.push({ type: 'FieldValueInvalid', field: path, message: `${path}: Invalid value: ${quote(value)}: ${path} in body should be at least ${schema.minLength} chars long` });
  if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push({ type: 'FieldValueTooLong', field: path, message: `${path}: Too long: may not be more than ${schema.maxLength} bytes` });
  if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) errors.push({ type: 'FieldValueInvalid', field: path, message: `${path}: Invalid value: ${quote(value)}: ${path} in body should match '${schema.pattern}'` });
  if (schema.format === 'date-time' && Number.isNaN(Date.parse(value))) errors.push({ type: 'FieldValueInvalid', field: path, message: `${path}: Invalid value: ${quote(value)}: ${path} in body must be of type date-time: ${quote(value)}` });
}

function checkObject(schema: JsonSchema, value: Record<string, unknown>, path: string, errors: FieldError[]) {
  const keys = Object.keys(value);
  if (schema.minProperties !== undefined && keys.length < schema.minProperties) errors.push({ type: 'FieldValueInvalid', field: path, message: `${path}: Invalid value: ${keys.length}: ${path} in body should have at least ${schema.minProperties} properties` });
  if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) errors.push({ type: 'FieldValueTooMany', field: path, message: `${path}: Too many: ${keys.length}: must have at most ${schema.maxProperties} items` });
  for (const field of schema.required ?? []) {
    if (!(field in value)) errors.push({ type: 'FieldValueRequired', field: join(path, field), message: `${join(path, field)}: Required value` });
  }
  const open = schema['x-kubernetes-preserve-unknown-fields'] || schema['x-kubernetes-embedded-resource'];
  for (const [key, child] of Object.entries(value)) {
    const childPath = join(path, key);
    const declared = schema.properties?.[key];
    if (declared) check(declared, child, childPath, errors);
    else if (typeof schema.additionalProperties === 'object') check(schema.additionalProperties, child, childPath, errors);
    else if (schema.properties && !open && schema.additionalProperties !== true) {
      errors.push({ type: 'FieldValueUnknown', field: childPath, message: `unknown field "${childPath}"` });
    }
  }
}

function checkRule(schema: JsonSchema, validation: NonNullable<JsonSchema['x-kubernetes-validations']>[number], value: unknown, path: string, errors: FieldError[]) {
  if (/\boldSelf\b/.test(validation.rule)) return; // transition rules only apply to updates of an existing value
  const field = validation.fieldPath ? path + validation.fieldPath : path;
  let result: unknown;
  try {
    result = compile(validation.rule)({ self: toCel(schema, value) });
  } catch (error) {
    errors.push({ type: 'FieldValueInvalid', field, message: `${field}: Invalid value: ${quote(value)}: ${validation.message ?? `failed rule: ${validation.rule}`} (${(error as Error).message.split('\n')[0]})` });
    return;
  }
  if (result !== true) {
    errors.push({ type: 'FieldValueInvalid', field, message: `${field}: Invalid value: ${quote(value)}: ${validation.message ?? `failed rule: ${validation.rule.replace(/\s+/g, ' ')}`}` });
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
