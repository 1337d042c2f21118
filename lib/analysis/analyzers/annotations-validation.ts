// The value checks Istio's injector applies to its annotations (istio/istio pkg/kube/inject
// validate.go AnnotationValidation), with its error wording: a problem string, or undefined.
import { parse } from 'yaml';

type Validator = (value: string) => string | undefined;

/** Go's strconv.ParseUint(value, 10, bits) error, or undefined. */
function parseUintError(value: string, bits: 16 | 32): string | undefined {
  if (!/^[0-9]+$/.test(value)) return `strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`;
  if (BigInt(value) > (1n << BigInt(bits)) - 1n) return `strconv.ParseUint: parsing ${JSON.stringify(value)}: value out of range`;
  return undefined;
}

function portError(port: string): string | undefined {
  const problem = parseUintError(port.trim(), 16);
  return problem && `failed parsing port '${port}': ${problem}`;
}

/** A comma-separated port list (blank is an empty list). */
function portListError(parameter: string, ports: string): string | undefined {
  const trimmed = ports.trim();
  if (!trimmed) return undefined;
  for (const port of trimmed.split(',')) {
    const problem = portError(port);
    // Istio wraps the port's error once more on the way up.
    if (problem) return `${parameter} invalid: failed parsing port '${port}': ${problem}`;
  }
  return undefined;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIPv6(address: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(address) || !address.includes(':')) return false;
  const halves = address.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half ? half.split(':') : []));
  const last = groups.at(-1);
  const embeddedV4 = last !== undefined && last.includes('.');
  if (embeddedV4 && !IPV4.test(last)) return false;
  const hexGroups = embeddedV4 ? groups.slice(0, -1) : groups;
  if (!hexGroups.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return false;
  const width = hexGroups.length + (embeddedV4 ? 2 : 0);
  return halves.length === 2 ? width < 8 : width === 8;
}

/** Go's netip.ParsePrefix error (wording shortened to its reason), or undefined. */
function prefixError(cidr: string): string | undefined {
  const slash = cidr.lastIndexOf('/');
  if (slash < 0) return `netip.ParsePrefix(${JSON.stringify(cidr)}): no '/'`;
  const address = cidr.slice(0, slash);
  const bits = cidr.slice(slash + 1);
  const v4 = IPV4.test(address);
  if (!v4 && !isIPv6(address)) return `netip.ParsePrefix(${JSON.stringify(cidr)}): ParseAddr(${JSON.stringify(address)}): unable to parse IP`;
  if (!/^(0|[1-9]\d*)$/.test(bits) || Number(bits) > (v4 ? 32 : 128)) {
    return `netip.ParsePrefix(${JSON.stringify(cidr)}): bad bits after slash: ${JSON.stringify(bits)}`;
  }
  return undefined;
}

function cidrListError(cidrs: string): string | undefined {
  if (!cidrs) return undefined;
  for (const cidr of cidrs.split(',')) {
    const problem = prefixError(cidr);
    if (problem) return `failed parsing cidr '${cidr}': ${problem}`;
  }
  return undefined;
}

const GO_BOOLEANS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);

/** The proxy config overrides must at least be a YAML mapping (Istio then validates every ProxyConfig field). */
function proxyConfigError(value: string): string | undefined {
  try {
    const parsed: unknown = parse(value);
    if (parsed === null || parsed === undefined || (typeof parsed === 'object' && !Array.isArray(parsed))) return undefined;
    return 'failed to convert to apply proxy config: not a ProxyConfig object';
  } catch (error) {
    return `failed to convert to apply proxy config: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

const uint32: Validator = (value) => parseUintError(value, 32);

const ANNOTATION_VALIDATION: Readonly<Record<string, Validator>> = {
  'sidecar.istio.io/interceptionMode': (mode) =>
    ['REDIRECT', 'TPROXY', 'NONE'].includes(mode) ? undefined : `interceptionMode invalid, use REDIRECT,TPROXY,NONE: ${mode}`,
  // Istio's message names the wrong parameter here; kept as Istio prints it.
  'status.sidecar.istio.io/port': (port) => {
    const problem = portError(port);
    return problem && `excludeInboundPorts invalid: ${problem}`;
  },
  'readiness.status.sidecar.istio.io/initialDelaySeconds': uint32,
  'readiness.status.sidecar.istio.io/periodSeconds': uint32,
  'readiness.status.sidecar.istio.io/failureThreshold': uint32,
  'traffic.sidecar.istio.io/includeOutboundIPRanges': (ranges) => {
    const problem = ranges === '*' ? undefined : cidrListError(ranges);
    return problem && `includeIPRanges invalid: ${problem}`;
  },
  'traffic.sidecar.istio.io/excludeOutboundIPRanges': (ranges) => {
    const problem = cidrListError(ranges);
    return problem && `excludeIPRanges invalid: ${problem}`;
  },
  'traffic.sidecar.istio.io/includeInboundPorts': (ports) => (ports === '*' ? undefined : portListError('includeInboundPorts', ports)),
  'traffic.sidecar.istio.io/excludeInboundPorts': (ports) => portListError('excludeInboundPorts', ports),
  'traffic.sidecar.istio.io/excludeOutboundPorts': (ports) => portListError('excludeOutboundPorts', ports),
  'prometheus.istio.io/merge-metrics': (value) => (GO_BOOLEANS.has(value) ? undefined : `strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`),
  'proxy.istio.io/config': proxyConfigError,
};

// Pods of one workload repeat the same values: each distinct value is checked once (parsing a
// proxy config is the costly part). Bounded, so a churn of values cannot grow it without end.
const MEMO_LIMIT = 10_000;
const memo = new Map<string, string | undefined>();

/** Why Istio's injector rejects this value of this annotation, or undefined (also for annotations it does not check). */
export function annotationProblem(name: string, value: string): string | undefined {
  const validate = ANNOTATION_VALIDATION[name];
  if (!validate) return undefined;
  const key = `${name}\u0000${value}`;
  if (memo.has(key)) return memo.get(key);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  const problem = validate(value);
  memo.set(key, problem);
  return problem;
}
