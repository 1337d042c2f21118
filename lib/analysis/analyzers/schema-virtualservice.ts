// Istio's schema.ValidationAnalyzer for VirtualServices: the checks of istiod's validating
// webhook (pkg/config/validation ValidateVirtualService, validateHTTPRoute and the rest) that
// need only the object. Each error is an IST0106 "Schema validation error", each warning an
// IST0133 "Schema validation warning"; the unreachable-rule warnings become IST0130 (a rule
// whose every match an earlier rule already has, or a second rule without matches) and IST0131
// (one such match, or a prefix match an earlier prefix match covers), as Istio's analyzer
// turns them into those messages.
//
// Left out: what the webhook reads from elsewhere (the gateway-semantics annotation set on
// objects Istio converts from Gateway API routes: such routes are not VirtualServices here).
import { durationNanos, NANOS_PER } from '@/lib/mesh/duration';
import { K } from '../kinds';
import type { Analyzer, CheckContext } from '../types';
import {
  isAuthorityHeader,
  isDns1123Label,
  isIpAddress,
  isJwtClaimRoute,
  Problems,
  q,
  validateCorsHeaderName,
  validateDuration,
  validateExportTo,
  validateFqdn,
  validateGatewayBoundDomain,
  validateHeaderOperationName,
  validateHeaderValue,
  validateIpSubnet,
  validateLabels,
  validateMatchHeaderName,
  validatePort,
  validateRegexp,
  validateRequestHeaderOperationName,
  validateStringMatch,
  validateStringMatchRegexp,
  validateWildcardDomain,
  type StringMatchValue,
} from './schema-validation';
import { hostsOverlap, hostSubsetOf } from '../lookups';
import { MESH_GATEWAY } from './virtualservice-routes';

/* eslint-disable @typescript-eslint/no-explicit-any -- the object is validated as written, so every field is read defensively */
type Json = any;

const list = (value: Json): Json[] => (Array.isArray(value) ? value : []);
const entries = (value: Json): [string, Json][] => (value && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : []);
const present = (value: Json) => value !== undefined && value !== null;

const SUPPORTED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE']);
const RETRY_ON = new Set([
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'envoy-ratelimited',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
]);
// Go's http.StatusText knows these codes; retryOn accepts any of them.
const HTTP_STATUS_CODES = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408,
  409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);
const GRPC_STATUSES = new Set([
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
]);
const KB = 1024;
const MB = 1024 * KB;

/** Istio's validateGatewayNames; like Istio, it stops at the first name without a namespace. */
function validateGatewayNames(problems: Problems, names: Json, path: string) {
  for (const [i, name] of list(names).entries()) {
    const at = `${path}[${i}]`;
    const text = String(name);
    const slash = text.indexOf('/');
    if (slash < 0) {
      if (text.includes('.')) {
        const parts = text.split('.');
        problems.warning(`using legacy gatewayName format ${q(text)}; prefer the <namespace>/<name> format: ${q(`${parts[1]}/${parts[0]}`)}`, at);
      }
      problems.error(validateFqdn(text), at);
      return;
    }
    const [namespace, gateway] = [text.slice(0, slash), text.slice(slash + 1)];
    if (!namespace || !gateway) problems.error('config namespace and gateway name cannot be empty', at);
    if (!isDns1123Label(namespace)) problems.error(`invalid value for namespace: ${q(namespace)}`, at);
    if (!isDns1123Label(gateway)) problems.error(`invalid value for gateway name: ${q(gateway)}`, at);
  }
}

function validateHeaderOperations(problems: Problems, headers: Json, path: string) {
  for (const [side, nameCheck] of [
    ['request', validateRequestHeaderOperationName],
    ['response', validateHeaderOperationName],
  ] as const) {
    const ops = headers?.[side];
    for (const op of ['add', 'set'] as const) {
      for (const [name, value] of entries(ops?.[op])) {
        problems.error(nameCheck(name), `${path}.${side}.${op}.${name}`);
        problems.error(validateHeaderValue(value), `${path}.${side}.${op}.${name}`);
      }
    }
    for (const [i, name] of list(ops?.remove).entries()) problems.error(validateHeaderOperationName(String(name)), `${path}.${side}.remove[${i}]`);
  }
}

/** Istio's validateDestination. */
function validateDestination(problems: Problems, destination: Json, path: string) {
  if (!present(destination)) return;
  const host = String(destination.host ?? '');
  problems.error(host === '*' ? `invalid destination host ${host}` : validateWildcardDomain(host), `${path}.host`);
  if (present(destination.subset) && destination.subset !== '') {
    problems.error(isDns1123Label(String(destination.subset)) ? undefined : `subset name is invalid: ${destination.subset}`, `${path}.subset`);
  }
  if (present(destination.port)) problems.error(validatePort(destination.port.number ?? 0), `${path}.port`);
}

/** Istio's validateHTTPRouteDestinations and validateRouteDestinations (HTTP ones also carry headers). */
function validateRouteDestinations(problems: Problems, routes: Json, path: string, http: boolean) {
  let total = 0;
  for (const [i, target] of list(routes).entries()) {
    const at = `${path}[${i}]`;
    if (!present(target)) {
      problems.error('weight may not be nil', at);
      continue;
    }
    if (!present(target.destination)) problems.error('destination is required', at);
    if (http) validateHeaderOperations(problems, target.headers, `${at}.headers`);
    validateDestination(problems, target.destination, `${at}.destination`);
    const weight = Number(target.weight ?? 0);
    if (weight < 0) problems.error(`weight ${weight} < 0`, `${at}.weight`);
    total += weight;
  }
  if (list(routes).length > 1 && total === 0) problems.error('total destination weight = 0', path);
}

/** Istio's validatePercentage (fault injection). */
function validatePercentage(problems: Problems, percentage: Json, path: string) {
  if (!present(percentage)) return;
  const value = Number(percentage.value ?? 0);
  if (value < 0 || value > 100 || (value > 0 && value < 0.0001)) problems.error(`percentage ${value} is neither 0.0, nor in range [0.0001, 100.0]`, path);
}

function validateFault(problems: Problems, fault: Json, path: string) {
  if (!present(fault)) return;
  if (!present(fault.abort) && !present(fault.delay)) problems.error('HTTP fault injection must have an abort and/or a delay', path);
  const abort = fault.abort;
  if (present(abort)) {
    validatePercentage(problems, abort.percentage, `${path}.abort.percentage`);
    if (present(abort.grpcStatus)) {
      if (!GRPC_STATUSES.has(String(abort.grpcStatus))) {
        problems.error(
          `gRPC status ${q(abort.grpcStatus)} is not supported. See https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of supported codes, for example 'NOT_FOUND'`,
          `${path}.abort.grpcStatus`,
        );
      }
    } else if (present(abort.http2Error)) {
      problems.error('HTTP/2 abort fault injection not supported yet', `${path}.abort.http2Error`);
    } else if (present(abort.httpStatus)) {
      problems.error(validateHttpStatus(abort.httpStatus), `${path}.abort.httpStatus`);
    } else {
      problems.warning('abort configured, but error type not set', `${path}.abort`);
    }
  }
  const delay = fault.delay;
  if (present(delay)) {
    validatePercentage(problems, delay.percentage, `${path}.delay.percentage`);
    if (present(delay.fixedDelay)) problems.error(validateDuration(delay.fixedDelay), `${path}.delay.fixedDelay`);
    if (present(delay.exponentialDelay)) {
      problems.error(validateDuration(delay.exponentialDelay), `${path}.delay.exponentialDelay`);
      problems.error('exponentialDelay not supported yet', `${path}.delay.exponentialDelay`);
    }
  }
}

const validateHttpStatus = (status: Json) => {
  const code = Number(status ?? 0);
  return code < 200 || code > 600 ? `HTTP status ${code} is not in range 200-599` : undefined;
};

function validateCors(problems: Problems, cors: Json, path: string) {
  if (!present(cors)) return;
  for (const [i, origin] of list(cors.allowOrigins).entries()) {
    const at = `${path}.allowOrigins[${i}]`;
    const text = origin?.exact ?? origin?.prefix ?? origin?.regex ?? '';
    if (text === '') problems.error(`'${text}' is not a valid match type for CORS allow origins`, at);
    else problems.error(validateStringMatchRegexp(origin, 'corsPolicy.allowOrigins'), at);
  }
  for (const [i, method] of list(cors.allowMethods).entries()) {
    if (!SUPPORTED_METHODS.has(String(method))) problems.error(`${q(method)} is not a supported HTTP method`, `${path}.allowMethods[${i}]`);
  }
  for (const field of ['allowHeaders', 'exposeHeaders'] as const) {
    for (const [i, name] of list(cors[field]).entries()) problems.error(validateCorsHeaderName(String(name)), `${path}.${field}[${i}]`);
  }
  if (present(cors.maxAge)) {
    problems.error(validateDuration(cors.maxAge), `${path}.maxAge`);
    const nanos = durationNanos(String(cors.maxAge));
    if (nanos !== undefined && nanos % NANOS_PER.s !== 0n) problems.error('max_age duration is accurate only to seconds precision', `${path}.maxAge`);
  }
}

function validateRetries(problems: Problems, retries: Json, path: string) {
  if (!present(retries)) return;
  const attempts = Number(retries.attempts ?? 0);
  if (attempts < 0) problems.error('attempts cannot be negative', `${path}.attempts`);
  if (attempts === 0 && (present(retries.perTryTimeout) || (retries.retryOn ?? '') !== '' || present(retries.retryRemoteLocalities))) {
    problems.error('http retry policy configured when attempts are set to 0 (disabled)', path);
  }
  if (present(retries.perTryTimeout)) problems.error(validateDuration(retries.perTryTimeout), `${path}.perTryTimeout`);
  if ((retries.retryOn ?? '') !== '') {
    for (const policy of String(retries.retryOn).split(',')) {
      const code = /^[+-]?\d+$/.test(policy) ? Number(policy) : 0;
      if (!HTTP_STATUS_CODES.has(code) && !RETRY_ON.has(policy)) problems.error(`${q(policy)} is not a valid retryOn policy`, `${path}.retryOn`);
    }
  }
}

function validateRedirect(problems: Problems, redirect: Json, path: string) {
  if (!present(redirect)) return;
  const first = (() => {
    if (!redirect.uri && !redirect.authority && !present(redirect.port) && !present(redirect.derivePort) && !redirect.scheme) {
      return 'redirect must specify URI, authority, scheme, or port';
    }
    const code = Number(redirect.redirectCode ?? 0);
    if (code !== 0 && (code < 300 || code > 399)) return `${code} is not a valid redirect code, must be 3xx`;
    if (redirect.scheme && redirect.scheme !== 'http' && redirect.scheme !== 'https') return 'invalid redirect scheme, must be "http" or "https"';
    if (Number(redirect.port ?? 0) > 0) return validatePort(Number(redirect.port));
    return undefined;
  })();
  problems.error(first, path);
}

function validateDirectResponse(problems: Problems, response: Json, path: string) {
  if (!present(response)) return;
  const body = response.body;
  if (present(body)) {
    // Bytes are base64 in the object; Istio measures the decoded size.
    const size =
      typeof body.string === 'string'
        ? new TextEncoder().encode(body.string).length
        : typeof body.bytes === 'string'
          ? Math.floor((body.bytes.length * 3) / 4)
          : 0;
    if (size > MB) problems.error('large direct_responses may impact control plane performance, must be less than 1MB', `${path}.body`);
    else if (size > 100 * KB) problems.warning('large direct_responses may impact control plane performance', `${path}.body`);
  }
  problems.error(validateHttpStatus(response.status), `${path}.status`);
}

function validateRewrite(problems: Problems, rewrite: Json, path: string) {
  if (!present(rewrite)) return;
  const uri = rewrite.uri ?? '';
  const regexRewrite = rewrite.uriRegexRewrite;
  if (uri !== '' && present(regexRewrite)) return problems.error('rewrite may only contain one of URI or UriRegexRewrite', path);
  if (uri === '' && !present(regexRewrite) && (rewrite.authority ?? '') === '') {
    return problems.error('rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified', path);
  }
  if (present(regexRewrite)) {
    const problem =
      !regexRewrite.match || !regexRewrite.rewrite
        ? 'UriRegexRewrite requires both Rewrite and Match fields to be specified'
        : validateRegexp(String(regexRewrite.match), 'HTTPRewrite.UriRegexRewrite.Match');
    if (problem) problems.error(`UriRegexRewrite has errors\n${problem}`, `${path}.uriRegexRewrite`);
  }
}

/** Istio's validateAuthorityRewrite: the authority is rewritten in one place at most. */
function validateAuthorityRewrite(problems: Problems, http: Json, path: string) {
  let current = String(http.rewrite?.authority ?? '');
  for (const op of ['set', 'add'] as const) {
    for (const [name, value] of entries(http.headers?.request?.[op])) {
      if (!isAuthorityHeader(name)) continue;
      if (current !== '') return problems.error(`authority header cannot be set multiple times: have ${q(current)}, attempting to set ${q(value)}`, path);
      current = String(value);
    }
  }
}

function validateMatches(problems: Problems, http: Json, path: string) {
  for (const [m, match] of list(http.match).entries()) {
    if (!present(match)) continue;
    const at = `${path}.match[${m}]`;
    for (const [name, header] of entries(match.headers)) {
      if (!present(header)) problems.error(`header match ${name} cannot be null`, `${at}.headers.${name}`);
      problems.error(validateMatchHeaderName(name), `${at}.headers.${name}`);
      problems.error(validateStringMatch(header as StringMatchValue, 'headers'), `${at}.headers.${name}`);
    }
    for (const [name, header] of entries(match.withoutHeaders)) {
      problems.error(validateMatchHeaderName(name), `${at}.withoutHeaders.${name}`);
      // `*` is not a regex there: it means "the header is present".
      if (present(header) && header.regex !== '*')
        problems.error(validateStringMatch(header as StringMatchValue, 'withoutHeaders'), `${at}.withoutHeaders.${name}`);
    }
    problems.error(validateStringMatchRegexp(match.uri, 'uri'), `${at}.uri`);
    for (const field of ['scheme', 'method', 'authority'] as const) problems.error(validateStringMatch(match[field], field), `${at}.${field}`);
    for (const [name, param] of entries(match.queryParams))
      problems.error(validateStringMatch(param as StringMatchValue, 'queryParams'), `${at}.queryParams.${name}`);
  }
  for (const [m, match] of list(http.match).entries()) {
    if (!present(match)) continue;
    const at = `${path}.match[${m}]`;
    if (Number(match.port ?? 0) !== 0) problems.error(validatePort(Number(match.port)), `${at}.port`);
    for (const error of validateLabels(match.sourceLabels)) problems.error(error, `${at}.sourceLabels`);
    validateGatewayNames(problems, match.gateways, `${at}.gateways`);
    if ((match.sourceNamespace ?? '') !== '' && !isDns1123Label(String(match.sourceNamespace))) {
      problems.error(`sourceNamespace match ${match.sourceNamespace} is invalid`, `${at}.sourceNamespace`);
    }
  }
}

/** Istio's validateHTTPRouteConflict: route, redirect and directResponse exclude each other; delegates stand alone. */
function validateRouteConflict(problems: Problems, http: Json, path: string, delegate: boolean) {
  const name = http.name ?? '';
  const hasRoute = present(http.route);
  const routes = list(http.route).length;
  if (!delegate && present(http.delegate)) {
    if (present(http.redirect)) problems.error(`root HTTP route ${name} must not specify redirect`, path);
    if (hasRoute) problems.error(`root HTTP route ${name} must not specify route`, path);
    return;
  }
  if (delegate && present(http.delegate)) problems.error('delegate HTTP route cannot contain delegate', `${path}.delegate`);
  if (present(http.redirect)) {
    if (routes > 0) problems.error('HTTP route cannot contain both route and redirect', path);
    if (present(http.fault)) problems.error('HTTP route cannot contain both fault and redirect', path);
    if (present(http.rewrite)) problems.error('HTTP route rule cannot contain both rewrite and redirect', path);
    if (present(http.directResponse)) problems.error('HTTP route rule cannot contain both direct_response and redirect', path);
  } else if (present(http.directResponse)) {
    if (routes > 0) problems.error('HTTP route cannot contain both route and direct_response', path);
    if (present(http.fault)) problems.error('HTTP route cannot contain both fault and direct_response', path);
    if (present(http.rewrite)) problems.error('HTTP route rule cannot contain both rewrite and direct_response', path);
  } else if (routes === 0) {
    problems.error('HTTP route, redirect or direct_response is required', path);
  }
  if (present(http.mirror) && list(http.mirrors).length > 0) problems.error('HTTP route cannot contain both mirror and mirrors', path);
}

/** Istio's validateHTTPRoute. */
function validateHttpRoute(problems: Problems, http: Json, path: string, delegate: boolean) {
  validateRouteConflict(problems, http, path, delegate);
  validateMatches(problems, http, path);
  validateHeaderOperations(problems, http.headers, `${path}.headers`);
  validateCors(problems, http.corsPolicy, `${path}.corsPolicy`);
  validateFault(problems, http.fault, `${path}.fault`);
  if (present(http.mirrorPercent)) {
    const value = Number(http.mirrorPercent?.value ?? http.mirrorPercent);
    if (value > 100) problems.error(`mirror_percent must have a max value of 100 (it has ${value})`, `${path}.mirrorPercent`);
    problems.warning('using deprecated setting "mirrorPercent", use "mirrorPercentage" instead', `${path}.mirrorPercent`);
  }
  if (present(http.mirrorPercentage)) {
    const value = Number(http.mirrorPercentage.value ?? 0);
    if (value > 100) problems.error(`mirror_percentage must have a max value of 100 (it has ${value.toFixed(6)})`, `${path}.mirrorPercentage`);
    if (value < 0) problems.error(`mirror_percentage must have a min value of 0 (it has ${value.toFixed(6)})`, `${path}.mirrorPercentage`);
  }
  validateDestination(problems, http.mirror, `${path}.mirror`);
  for (const [i, mirror] of list(http.mirrors).entries()) {
    const at = `${path}.mirrors[${i}]`;
    if (!present(mirror)) problems.error('mirror cannot be null', at);
    else if (!present(mirror.destination)) problems.error('destination is required for mirrors', at);
    else {
      validateDestination(problems, mirror.destination, `${at}.destination`);
      const value = Number(mirror.percentage?.value ?? 0);
      if (value > 100) problems.error(`mirror percentage must have a max value of 100 (it has ${value.toFixed(6)})`, `${at}.percentage`);
      if (value < 0) problems.error(`mirror percentage must have a min value of 0 (it has ${value.toFixed(6)})`, `${at}.percentage`);
    }
  }
  validateRedirect(problems, http.redirect, `${path}.redirect`);
  validateDirectResponse(problems, http.directResponse, `${path}.directResponse`);
  validateRetries(problems, http.retries, `${path}.retries`);
  validateRewrite(problems, http.rewrite, `${path}.rewrite`);
  validateAuthorityRewrite(problems, http, path);
  validateRouteDestinations(problems, http.route, `${path}.route`, true);
  if (present(http.timeout)) problems.error(validateDuration(http.timeout), `${path}.timeout`);
}

function validateL4Match(problems: Problems, match: Json, path: string) {
  for (const [i, subnet] of list(match.destinationSubnets).entries()) problems.error(validateIpSubnet(String(subnet)), `${path}.destinationSubnets[${i}]`);
  if (Number(match.port ?? 0) !== 0) problems.error(validatePort(Number(match.port)), `${path}.port`);
  for (const error of validateLabels(match.sourceLabels)) problems.error(error, `${path}.sourceLabels`);
  validateGatewayNames(problems, match.gateways, `${path}.gateways`);
}

/** Whether a VirtualService is bound to gateways only (Istio's isGateway: true also with no gateways listed). */
const isGatewayOnly = (spec: Json) => !list(spec.gateways).includes(MESH_GATEWAY);
const hasSniHosts = (spec: Json) => list(spec.tls).some((tls) => list(tls?.match).some((match) => list(match?.sniHosts).length > 0));

function validateTlsRoute(problems: Problems, tls: Json, path: string, spec: Json) {
  if (!present(tls)) return;
  if (list(tls.match).length === 0) problems.error('TLS route must have at least one match condition', path);
  for (const [m, match] of list(tls.match).entries()) {
    const at = `${path}.match[${m}]`;
    if (!present(match)) {
      problems.error('TLS match may not be null', at);
      continue;
    }
    if (list(match.sniHosts).length === 0) problems.error('TLS match must have at least one SNI host', at);
    for (const [i, sni] of list(match.sniHosts).entries()) {
      const sniAt = `${at}.sniHosts[${i}]`;
      const text = String(sni);
      const problem = isGatewayOnly(spec) ? validateGatewayBoundDomain(true, text) : validateWildcardDomain(text);
      if (problem) {
        if (isIpAddress(text)) problems.warning(`using an IP address (${q(text)}) goes against SNI spec and most clients do not support this`, sniAt);
        else problems.error(problem, sniAt);
        continue;
      }
      if (!list(spec.hosts).some((host) => hostSubsetOf(text, String(host)))) {
        problems.error(`SNI host ${q(text)} is not a compatible subset of any of the virtual service hosts: [${list(spec.hosts).join(', ')}]`, sniAt);
      }
    }
    validateL4Match(problems, match, at);
  }
  if (list(tls.route).length === 0) problems.error('TLS route is required', path);
  validateRouteDestinations(problems, tls.route, `${path}.route`, false);
}

function validateTcpRoute(problems: Problems, tcp: Json, path: string) {
  if (!present(tcp)) return;
  for (const [m, match] of list(tcp.match).entries()) {
    if (!present(match)) problems.error('tcp match may not be nil', `${path}.match[${m}]`);
    else validateL4Match(problems, match, `${path}.match[${m}]`);
  }
  if (list(tcp.route).length === 0) problems.error('TCP route is required', path);
  validateRouteDestinations(problems, tcp.route, `${path}.route`, false);
}

/** JSON with sorted keys and Go's omitempty (empty strings, zeros, false, empty maps and lists dropped): two matches compare equal as Istio's asJSON does. */
function canonical(value: Json): string | undefined {
  if (value === null || value === undefined || value === '' || value === 0 || value === false) return undefined;
  if (Array.isArray(value)) return value.length ? `[${value.map((v) => canonical(v) ?? 'null').join(',')}]` : undefined;
  if (typeof value === 'object') {
    const parts = Object.keys(value)
      .sort()
      .flatMap((key) => {
        const inner = canonical(value[key]);
        return inner === undefined ? [] : [`${JSON.stringify(key)}:${inner}`];
      });
    return parts.length ? `{${parts.join(',')}}` : undefined;
  }
  return JSON.stringify(value);
}

const routeName = (route: Json, n: number, http: boolean) => (http && route?.name ? q(route.name) : `#${n}`);
const requestName = (match: Json, n: number, http: boolean) => (http && match?.name ? q(match.name) : `#${n}`);

interface PrefixMatch {
  /** `spec.http[n].match[m]` */
  path: string;
  route: string;
  match: string;
  prefix: string;
  port: number;
  method: string;
  authority: string;
  headers: Record<string, string>;
  queryParams: Record<string, string>;
  withoutHeaders: Record<string, string>;
}

const exactOrPrefix = (sm: Json) => (sm?.exact ? `exact:${sm.exact}` : sm?.prefix ? `prefix:${sm.prefix}` : '');
const exactOrPrefixMap = (map: Json) => Object.fromEntries(entries(map).map(([k, v]) => [k, exactOrPrefix(v)]));

/** Istio's coveredValidation: an earlier prefix match `a` catches everything the later `b` would. */
function covers(a: PrefixMatch, b: PrefixMatch): boolean {
  if (!b.prefix.startsWith(a.prefix) || a.port !== b.port) return false;
  if (a.method !== b.method && !a.method.startsWith(b.method)) return false;
  if (a.authority !== b.authority && !a.authority.startsWith(b.authority)) return false;
  for (const field of ['headers', 'queryParams', 'withoutHeaders'] as const) {
    const [mapA, mapB] = [a[field], b[field]];
    if (Object.keys(mapA).length !== Object.keys(mapB).length) return false;
    for (const [key, value] of Object.entries(mapA)) {
      if (!(key in mapB)) return false;
      if (value !== mapB[key] && !value.startsWith(mapB[key]!)) return false;
    }
  }
  return true;
}

/** Istio's analyzeUnreachable{HTTP,TCP,TLS}Rules, reported as IST0130 and IST0131. */
function reportUnreachable(context: CheckContext, routes: Json[], protocol: 'http' | 'tcp' | 'tls') {
  const http = protocol === 'http';
  const seen = new Map<string, number>();
  let emptyMatchSeen = false;
  const prefixMatches: PrefixMatch[] = [];
  const unused = (n: number, reason: string) =>
    context.report('IST0130', `VirtualService rule ${routeName(routes[n], n, http)} not used (${reason}).`, { path: `spec.${protocol}[${n}]` });
  routes.forEach((route, n) => {
    if (!present(route)) return;
    const matches = list(route.match);
    if (matches.length === 0) {
      if (emptyMatchSeen) unused(n, 'only the last rule can have no matches');
      emptyMatchSeen = true;
      return;
    }
    // Istio reports this once per match; one finding per rule says the same thing.
    if (emptyMatchSeen) return unused(n, 'route without matches defined before');
    let duplicates = 0;
    matches.forEach((match, m) => {
      const key = canonical(http && match ? { ...match, name: undefined } : match) ?? '';
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        context.report(
          'IST0131',
          `VirtualService rule ${routeName(route, n, http)} match ${requestName(match, m, http)} is not used (duplicate/overlapping match in rule ${routeName(routes[earlier], earlier, http)}).`,
          { path: `spec.${protocol}[${n}].match[${m}]` },
        );
        duplicates++;
        return;
      }
      seen.set(key, n);
      const prefix = http ? match?.uri?.prefix : undefined;
      if (prefix) {
        prefixMatches.push({
          path: `spec.http[${n}].match[${m}]`,
          route: routeName(route, n, true),
          match: requestName(match, m, true),
          prefix,
          port: Number(match.port ?? 0),
          method: exactOrPrefix(match.method) || 'exact:GET',
          authority: exactOrPrefix(match.authority),
          headers: exactOrPrefixMap(match.headers),
          queryParams: exactOrPrefixMap(match.queryParams),
          withoutHeaders: exactOrPrefixMap(match.withoutHeaders),
        });
      }
    });
    if (duplicates === matches.length) unused(n, 'all matches used by prior rules');
  });
  prefixMatches.forEach((a, i) => {
    for (const b of prefixMatches.slice(i + 1)) {
      if (b.prefix === a.prefix || !covers(a, b)) continue;
      context.report(
        'IST0131',
        `VirtualService rule ${b.route} match ${b.match} of prefix ${b.prefix} is not used (duplicate/overlapping match in rule ${a.match} of prefix ${a.prefix} on ${a.route}).`,
        { path: b.path },
      );
    }
  });
}

export const schemaVirtualService: Analyzer = {
  id: 'schema.validation.virtualservice',
  description: "A VirtualService passes Istio's validation (istiod's webhook rules), and has no unreachable rules",
  kinds: [K.VirtualService],
  codes: ['IST0106', 'IST0133', 'IST0130', 'IST0131'],
  check(vs, context) {
    const problems = new Problems();
    const namespace = vs.metadata.namespace ?? 'default';
    const annotations = vs.metadata.annotations ?? {};
    const spec: Json = vs.spec && typeof vs.spec === 'object' ? vs.spec : {};
    // Istio's metadata checks come first and end the validation.
    if ('istio.io/dry-run' in annotations) {
      problems.error(`${namespace}/${vs.metadata.name} has unsupported annotation istio.io/dry-run, please remove the annotation`, 'metadata.annotations');
    } else if ('istio.io/alwaysReject' in annotations) {
      problems.error('"istio.io/alwaysReject" annotation found, rejecting', 'metadata.annotations');
    } else {
      validateSpec(problems, spec, namespace);
    }
    for (const { message, path } of problems.errors) context.report('IST0106', `Schema validation error: ${message}`, path ? { path } : {});
    for (const { message, path } of problems.warnings) context.report('IST0133', `Schema validation warning: ${message}`, path ? { path } : {});
    if (problems.errors.some((error) => error.path === 'metadata.annotations')) return;
    reportUnreachable(context, list(spec.http), 'http');
    reportUnreachable(context, list(spec.tcp), 'tcp');
    reportUnreachable(context, list(spec.tls), 'tls');
  },
};

/** Istio's ValidateVirtualService, into `problems`. */
function validateSpec(problems: Problems, spec: Json, namespace: string) {
  const hosts = list(spec.hosts).map(String);
  const gateways = list(spec.gateways);
  if (hosts.length === 0) {
    // A VirtualService without hosts can only be a delegate.
    if (gateways.length) problems.error('delegate virtual service must have no gateways specified', 'spec.gateways');
    if (list(spec.tls).length) problems.error('delegate virtual service must have no tls route specified', 'spec.tls');
    if (list(spec.tcp).length) problems.error('delegate virtual service must have no tcp route specified', 'spec.tcp');
  }
  let appliesToMesh = gateways.length === 0;
  let appliesToGateway = false;
  if (gateways.length) {
    validateGatewayNames(problems, gateways, 'spec.gateways');
    appliesToGateway = isGatewayOnly(spec);
    appliesToMesh = !appliesToGateway;
  }
  if (!appliesToGateway) {
    for (const [r, http] of list(spec.http).entries()) {
      for (const [m, match] of list(http?.match).entries()) {
        for (const field of ['headers', 'withoutHeaders'] as const) {
          for (const [key] of entries(match?.[field])) {
            if (isJwtClaimRoute(key)) {
              problems.error(
                `JWT claim based routing (key: ${key}) is only supported for gateway, found no gateways: [${gateways.join(' ')}]`,
                `spec.http[${r}].match[${m}].${field}.${key}`,
              );
            }
          }
        }
      }
    }
  }
  let allHostsValid = true;
  hosts.forEach((host, i) => {
    const problem = appliesToGateway ? validateGatewayBoundDomain(hasSniHosts(spec), host) : validateWildcardDomain(host);
    if (problem) {
      if (!isIpAddress(host)) {
        problems.error(problem, `spec.hosts[${i}]`);
        allHostsValid = false;
      }
    } else if (appliesToMesh && host === '*') {
      problems.error('wildcard host * is not allowed for virtual services bound to the mesh gateway', `spec.hosts[${i}]`);
      allHostsValid = false;
    }
  });
  if (allHostsValid) {
    for (let i = 0; i < hosts.length; i++) {
      for (let j = i + 1; j < hosts.length; j++) {
        if (hostsOverlap(hosts[i]!, hosts[j]!)) problems.error(`duplicate hosts in virtual service: ${hosts[i]} & ${hosts[j]}`, `spec.hosts[${j}]`);
      }
    }
  }
  if (!list(spec.http).length && !list(spec.tcp).length && !list(spec.tls).length)
    problems.error('http, tcp or tls must be provided in virtual service', 'spec');
  for (const [r, http] of list(spec.http).entries()) {
    if (!present(http)) problems.error('http route may not be null', `spec.http[${r}]`);
    else validateHttpRoute(problems, http, `spec.http[${r}]`, hosts.length === 0);
  }
  for (const [r, tls] of list(spec.tls).entries()) validateTlsRoute(problems, tls, `spec.tls[${r}]`, spec);
  for (const [r, tcp] of list(spec.tcp).entries()) validateTcpRoute(problems, tcp, `spec.tcp[${r}]`);
  for (const error of validateExportTo(namespace, spec.exportTo)) problems.error(error, 'spec.exportTo');
}
