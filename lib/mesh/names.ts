// Kubernetes object names: the one validator for them (lib, route schemas, configuration).
// Pure, no I/O. The rules are Kubernetes' (apimachinery's IsDNS1123Label / IsDNS1123Subdomain).

/** An RFC 1123 label: namespaces, Services, most names that appear in DNS. */
export const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_1123_LABEL_MAX = 63;

/** An RFC 1123 subdomain: dot-separated labels, e.g. VirtualService and ConfigMap names. */
export const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS_1123_SUBDOMAIN_MAX = 253;

/** What a label must be, in words for an error message. */
export const LABEL_RULE = "lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters";
/** What a subdomain must be, in words. */
export const SUBDOMAIN_RULE =
  "lower-case letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit, at most 253 characters";

/** Whether `name` is a valid RFC 1123 label (a namespace or Service name). */
export const isDnsLabel = (name: string) => name.length <= DNS_1123_LABEL_MAX && DNS_1123_LABEL.test(name);

/** Whether `name` is a valid RFC 1123 subdomain (most object names). */
export const isDnsSubdomain = (name: string) => name.length <= DNS_1123_SUBDOMAIN_MAX && DNS_1123_SUBDOMAIN.test(name);

/** Why `name` is not a valid label, or undefined when it is. */
export function labelProblem(name: string): string | undefined {
  if (isDnsLabel(name)) return undefined;
  return `"${name}" is not a valid name: use ${LABEL_RULE}`;
}

/** Why `name` is not a valid subdomain, or undefined when it is. */
export function subdomainProblem(name: string): string | undefined {
  if (isDnsSubdomain(name)) return undefined;
  return `"${name}" is not a valid name: use ${SUBDOMAIN_RULE}`;
}

// Label keys and values (apimachinery's IsQualifiedName / IsValidLabelValue).
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const QUALIFIED_NAME_MAX = 63;

/** Whether `value` may be a label's value: empty, or at most 63 letters, digits, '-', '_' or '.', alphanumeric at both ends. */
export const isLabelValue = (value: string) => value === '' || (value.length <= QUALIFIED_NAME_MAX && QUALIFIED_NAME.test(value));

/** Why `key` is not a label key (`name` or `prefix/name`, the prefix a subdomain), or undefined when it is one. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : [undefined, key];
  if (prefix !== undefined && !isDnsSubdomain(prefix)) return `"${key}": the prefix before "/" must be a DNS subdomain`;
  if (name.length > QUALIFIED_NAME_MAX || !QUALIFIED_NAME.test(name))
    return `"${key}" is not a label name (at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit)`;
  return undefined;
}
