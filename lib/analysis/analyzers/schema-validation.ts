// The building blocks of Istio's configuration validation (istio pkg/config/validation and its
// agent and labels packages) that a kind's schema analyzer composes: DNS names and wildcards,
// ports, labels, exportTo, durations, header names and values, string matches. Each returns
// Istio's error text, or undefined when the value passes; messages are Istio's, word for word
// where practical (Go's %q is rendered with JSON quoting).
import { NANOS_PER, parseGoDuration } from '@/lib/mesh/duration';
import { re2Problem } from './virtualservice-re2';

/** Errors (IST0106) and warnings (IST0133) of one object, each with the field it concerns. */
export class Problems {
  readonly errors: { message: string; path?: string }[] = [];
  readonly warnings: { message: string; path?: string }[] = [];
  error(message: string | undefined, path?: string) {
    if (message) this.errors.push({ message, path });
  }
  warning(message: string | undefined, path?: string) {
    if (message) this.warnings.push({ message, path });
  }
}

export const q = (text: unknown) => JSON.stringify(String(text));

const DNS1123_LABEL = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const WILDCARD_LABEL = /^(\*|(\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;
const QUALIFIED_NAME = '(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const TAG_KEY = new RegExp(`^([a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)*/)?(${QUALIFIED_NAME})$`);
const LABEL_VALUE = new RegExp(`^(${QUALIFIED_NAME})?$`);
const HEADER_NAME = /^[-_A-Za-z0-9]+$/;
// Control characters other than tab (protoc-gen-validate's header value rule).
const HEADER_VALUE_FORBIDDEN = /[\u0000-\u0008\u000A-\u001F\u007F]/;

export const isDns1123Label = (value: string) => value.length <= 63 && DNS1123_LABEL.test(value);
const isWildcardDns1123Label = (value: string) => value.length <= 63 && WILDCARD_LABEL.test(value);

function dns1123Preconditions(name: string): string | undefined {
  if (name.length > 255) return `domain name ${q(name)} too long (max 255)`;
  if (name.length === 0) return 'empty domain name not allowed';
  return undefined;
}

function dns1123Labels(domain: string): string | undefined {
  const parts = domain.split('.');
  const top = parts[parts.length - 1]!;
  if (/^[+-]?\d+$/.test(top)) return `domain name ${q(domain)} invalid (top level domain ${q(top)} cannot be all-numeric)`;
  for (let i = 0; i < parts.length; i++) {
    // The last label may be empty, for unambiguous names like `istio.io.`
    if (i === parts.length - 1 && parts[i] === '') return undefined;
    if (!isDns1123Label(parts[i]!)) return `domain name ${q(domain)} invalid (label ${q(parts[i])} invalid)`;
  }
  return undefined;
}

/** Istio's ValidateFQDN. */
export const validateFqdn = (fqdn: string) => dns1123Preconditions(fqdn) ?? dns1123Labels(fqdn);

/** Istio's ValidateWildcardDomain: an FQDN whose first label may be a wildcard. */
export function validateWildcardDomain(domain: string): string | undefined {
  const pre = dns1123Preconditions(domain);
  if (pre) return pre;
  const dot = domain.indexOf('.');
  const first = dot < 0 ? domain : domain.slice(0, dot);
  if (!isWildcardDns1123Label(first)) return `domain name ${q(domain)} invalid (label ${q(first)} invalid)`;
  return dot < 0 ? undefined : dns1123Labels(domain.slice(dot + 1));
}

/** Istio's ValidateWildcardDomainForVirtualServiceBoundToGateway: SNI hosts may be `outbound_.<port>_...` names. */
export function validateGatewayBoundDomain(sni: boolean, domain: string): string | undefined {
  const pre = dns1123Preconditions(domain);
  if (pre) return pre;
  const dot = domain.indexOf('.');
  const first = dot < 0 ? domain : domain.slice(0, dot);
  if (sni && first === 'outbound_') return /outbound_.([0-8].*).*/.test(domain) ? undefined : `domain name ${q(domain)} invalid (label ${q(first)} invalid)`;
  if (!isWildcardDns1123Label(first)) return `domain name ${q(domain)} invalid (label ${q(first)} invalid)`;
  return dot < 0 ? undefined : dns1123Labels(domain.slice(dot + 1));
}

/** Istio's ValidatePort. */
export const validatePort = (port: unknown) =>
  typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535 ? undefined : `port number ${port ?? 0} must be in the range 1..65535`;

/** An IP address as Go's netip.ParseAddr reads it (dotted quad without leading zeros, or IPv6). */
export function isIpAddress(value: string): boolean {
  if (/^\d+(\.\d+){3}$/.test(value)) return value.split('.').every((octet) => Number(octet) <= 255 && (octet === '0' || !octet.startsWith('0')));
  if (!value.includes(':') || /[^0-9a-fA-F:.%]/.test(value.split('%')[0]!)) return false;
  try {
    new URL(`http://[${value.split('%')[0]}]/`);
    return true;
  } catch {
    return false;
  }
}

/** Istio's ValidateIPSubnet: `a.b.c.d/n`, an IPv6 prefix, or a bare address. */
export function validateIpSubnet(subnet: string): string | undefined {
  if ((subnet.match(/\//g) ?? []).length === 1) {
    const [address, bits] = subnet.split('/') as [string, string];
    const max = address.includes(':') ? 128 : 32;
    return isIpAddress(address) && /^\d+$/.test(bits) && Number(bits) <= max ? undefined : `${subnet} is not a valid CIDR block`;
  }
  return isIpAddress(subnet) ? undefined : `${subnet} is not a valid IP`;
}

/** Istio's labels.Instance.Validate: Kubernetes label keys and values. */
export function validateLabels(labels: unknown): string[] {
  if (!labels || typeof labels !== 'object') return [];
  const errors: string[] = [];
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    const match = TAG_KEY.exec(key);
    if (!match) errors.push(`invalid tag key: ${q(key)}`);
    else if (match[1] && match[1].length - 1 > 253) errors.push(`invalid tag key: ${q(key)} (DNS prefix is too long)`);
    else if (match[2]!.length > 63) errors.push(`invalid tag key: ${q(key)} (name is too long)`);
    if (!LABEL_VALUE.test(String(value ?? ''))) errors.push(`invalid tag value: ${q(value)}`);
  }
  return errors;
}

/** Istio's validateExportTo (for objects other than ServiceEntries and selector-bound DestinationRules). */
export function validateExportTo(namespace: string, exportTo: unknown): string[] {
  if (!Array.isArray(exportTo) || exportTo.length === 0) return [];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const entry of exportTo.map(String)) {
    const key = entry === '.' ? namespace : entry;
    if (seen.has(key)) {
      errors.push(key !== entry ? `duplicate entries in exportTo: . and current namespace ${namespace}` : `duplicate entries in exportTo for entry ${entry}`);
    } else if (key === '~') {
      errors.push('exportTo ~ (none) is not allowed for Istio configuration objects');
    } else if (key !== '*' && key !== '.' && !isDns1123Label(key)) {
      errors.push('only .,*, or a valid DNS 1123 label is allowed as exportTo entry');
    } else {
      seen.add(key);
    }
  }
  if (seen.has('*') && exportTo.length > 1) errors.push('cannot have both public (*) and non-public exportTo values for a resource');
  return errors;
}

/**
 * Istio's ValidateDuration on a duration written as Go or protobuf text: at least 1ms, whole
 * milliseconds. Text that is no duration at all (which the API server would refuse) says so.
 */
export function validateDuration(value: unknown): string | undefined {
  const parsed = parseGoDuration(String(value ?? '').trim());
  if (!parsed.ok) return `invalid duration ${q(value)}: ${parsed.detail}`;
  if (parsed.nanos < NANOS_PER.ms) return 'duration must be greater than 1ms';
  if (parsed.nanos % NANOS_PER.ms !== 0n) return 'only durations to ms precision are supported';
  return undefined;
}

/** Istio's ValidateHTTPHeaderNameOrJwtClaimRoute (a match's header key). */
export function validateMatchHeaderName(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (isJwtClaimRoute(name)) return undefined;
  return HEADER_NAME.test(name) ? undefined : `header name ${name} is not a valid header name`;
}

/** Istio's jwt.ToRoutingClaim(...).Match: `@request.auth.claims.a.b` or `@request.auth.claims[a][b]`. */
export function isJwtClaimRoute(name: string): boolean {
  const prefix = '@request.auth.claims';
  if (!name.toLowerCase().startsWith(prefix)) return false;
  const rest = name.slice(prefix.length);
  return (rest.startsWith('.') && rest.length > 1) || (rest.startsWith('[') && rest.endsWith(']') && rest.length > 2);
}

/** Istio's ValidateCORSHTTPHeaderName. */
export function validateCorsHeaderName(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (name === '*') return undefined;
  return HEADER_NAME.test(name) ? undefined : `header name ${name} is not a valid header name`;
}

const isInternalHeader = (name: string) => name.startsWith(':') || name.toLowerCase() === 'host';
export const isAuthorityHeader = (name: string) => name.toLowerCase() === ':authority' || name.toLowerCase() === 'host';

/** Istio's ValidateHTTPHeaderWithAuthorityOperationName (request headers set or added). */
export function validateRequestHeaderOperationName(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (isInternalHeader(name) && !isAuthorityHeader(name)) return `invalid header ${q(name)}: header cannot have ":" prefix`;
  return undefined;
}

/** Istio's ValidateHTTPHeaderOperationName (request headers removed, response headers). */
export function validateHeaderOperationName(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (name.toLowerCase() === 'host') return `invalid header ${q(name)}: cannot set Host header`;
  if (isInternalHeader(name)) return `invalid header ${q(name)}: header cannot have ":" prefix`;
  return undefined;
}

/** Envoy's header value formatter syntax (`%VAR%`, `%VAR(args)%`, `%%`), as Istio's port of Envoy's parser checks it. */
function headerValueFormatProblem(value: string): string | undefined {
  type State = 'literal' | 'name' | 'array' | 'delimiter' | 'string-start' | 'string' | 'args-end' | 'var-end';
  let state: State = 'literal';
  for (let pos = 0; pos < value.length; pos++) {
    const ch = value[pos]!;
    const hasNext = pos + 1 < value.length;
    if (state === 'literal') {
      if (ch !== '%') continue;
      if (!hasNext) return 'invalid header configuration. Un-escaped %';
      if (value[pos + 1] === '%') pos++;
      else state = 'name';
    } else if (state === 'name') {
      if (ch === '%') state = 'literal';
      else if (ch === '(') state = 'array';
    } else if (state === 'array') {
      if (ch === '[') state = 'string-start';
      else if (ch !== ' ') state = 'string';
    } else if (state === 'delimiter') {
      if (ch === ',') state = 'string-start';
      else if (ch === ']') state = 'args-end';
      else if (ch !== ' ') return "invalid header configuration. Expecting ',', ']', or whitespace";
    } else if (state === 'string-start') {
      if (ch === '"') state = 'string';
      else if (ch !== ' ') return `invalid header configuration. Expecting '"'`;
    } else if (state === 'string') {
      if (ch === '\\') {
        if (!hasNext) return 'invalid header configuration. Un-terminated backslash in JSON string';
        pos++;
      } else if (ch === ')') state = 'var-end';
      else if (ch === '"') state = 'delimiter';
    } else if (state === 'args-end') {
      if (ch === ')') state = 'var-end';
      else if (ch !== ' ') return "invalid header configuration. Expecting ')' or whitespace after '{}', but found '{}'";
    } else if (ch === '%') {
      state = 'literal';
    } else if (ch !== ' ') {
      return "invalid header configuration. Expecting '%' or whitespace after";
    }
  }
  return state === 'literal' ? undefined : `invalid header configuration. Un-terminated variable expression '${value}'`;
}

/** Istio's ValidateHTTPHeaderValue. */
export function validateHeaderValue(value: unknown): string | undefined {
  const text = String(value ?? '');
  if (HEADER_VALUE_FORBIDDEN.test(text)) return `header value configuration ${text} is invalid`;
  const problem = headerValueFormatProblem(text);
  return problem ? `header value configuration: ${problem}` : undefined;
}

/** Istio's StringMatch, loosely typed as written. */
export type StringMatchValue = { exact?: unknown; prefix?: unknown; regex?: unknown } | null | undefined;

/** Istio's validateStringRegexp: at most 1024 characters, and RE2. */
export function validateRegexp(regex: string, where: string): string | undefined {
  if (regex.length > 1024) return `${q(where)}: regex is too large, max length allowed is 1024`;
  const problem = re2Problem(regex);
  return problem ? `${q(where)}: ${problem}; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)` : undefined;
}

/** Istio's validateStringMatchRegexp: only a regex match is checked. */
export function validateStringMatchRegexp(match: StringMatchValue, where: string): string | undefined {
  if (!match || typeof match !== 'object' || !('regex' in match)) return undefined;
  const regex = String(match.regex ?? '');
  if (regex === '') return `${q(where)}: regex string match should not be empty`;
  return validateRegexp(regex, where);
}

/** Istio's validateStringMatch: a prefix match must not be empty, a regex must compile. */
export function validateStringMatch(match: StringMatchValue, where: string): string | undefined {
  if (match && typeof match === 'object' && 'prefix' in match && !('regex' in match)) {
    return String(match.prefix ?? '') === '' ? `${q(where)}: prefix string match should not be empty` : undefined;
  }
  return validateStringMatchRegexp(match, where);
}
