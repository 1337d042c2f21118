// Istio AuthorizationPolicy, read and evaluated as a sidecar does: CUSTOM, then DENY, then
// ALLOW; with ALLOW policies present, a request none of them allows is denied.
import type { AuthorizationPolicy, AuthorizationRule } from './security-types';

export interface Caller {
  /** mTLS identity, e.g. cluster.local/ns/shop/sa/cart; none for plaintext. */
  principal?: string;
  namespace?: string;
  /** JWT identity as Istio writes it: "<iss>/<sub>"; none without a valid token. */
  requestPrincipal?: string;
  claims?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  method: string;
  path: string;
  host?: string;
  port?: number;
}

export interface Decision {
  allowed: boolean;
  /** The policy and rule that decided, when one did. */
  policy?: string;
  rule?: number;
  reason: string;
}

const matches = (labels: Record<string, string>, selector: Record<string, string> | undefined) => Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

/** Istio's string matching: exact, "*", "prefix*", "*suffix". */
export function wildcard(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

const anyOf = (patterns: string[] | undefined, value: string | undefined) => patterns === undefined || patterns.some((p) => wildcard(p, value));
const noneOf = (patterns: string[] | undefined, value: string | undefined) => patterns === undefined || !patterns.some((p) => wildcard(p, value));

function sourceMatches(source: Record<string, string[] | undefined>, caller: Caller): boolean {
  return (
    anyOf(source.principals, caller.principal) &&
    noneOf(source.notPrincipals, caller.principal) &&
    anyOf(source.requestPrincipals, caller.requestPrincipal) &&
    noneOf(source.notRequestPrincipals, caller.requestPrincipal) &&
    anyOf(source.namespaces, caller.namespace) &&
    noneOf(source.notNamespaces, caller.namespace)
  );
}

function operationMatches(operation: Record<string, string[] | undefined>, caller: Caller): boolean {
  const port = caller.port === undefined ? undefined : String(caller.port);
  return (
    anyOf(operation.methods, caller.method) &&
    noneOf(operation.notMethods, caller.method) &&
    anyOf(operation.paths, caller.path) &&
    noneOf(operation.notPaths, caller.path) &&
    anyOf(operation.hosts, caller.host) &&
    noneOf(operation.notHosts, caller.host) &&
    anyOf(operation.ports, port) &&
    noneOf(operation.notPorts, port)
  );
}

/** The value(s) a `when` key names for this caller. */
function attribute(key: string, caller: Caller): string[] {
  const claim = /^request\.auth\.claims\[(.+)\]$/.exec(key);
  if (claim) {
    const value = caller.claims?.[claim[1]!.replace(/\]\[/g, '.')];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  }
  const header = /^request\.headers\[(.+)\]$/.exec(key);
  if (header) {
    const value = caller.headers?.[header[1]!.toLowerCase()];
    return value === undefined ? [] : [value];
  }
  switch (key) {
    case 'source.namespace':
      return caller.namespace ? [caller.namespace] : [];
    case 'source.principal':
      return caller.principal ? [caller.principal] : [];
    case 'request.auth.principal':
      return caller.requestPrincipal ? [caller.requestPrincipal] : [];
    case 'destination.port':
      return caller.port ? [String(caller.port)] : [];
    default:
      return [];
  }
}

export function ruleMatches(rule: AuthorizationRule, caller: Caller): boolean {
  if (rule.from && !rule.from.some((f) => sourceMatches(f.source ?? {}, caller))) return false;
  if (rule.to && !rule.to.some((t) => operationMatches(t.operation ?? {}, caller))) return false;
  return (rule.when ?? []).every((condition) => {
    const values = attribute(condition.key, caller);
    const ok = condition.values === undefined || values.some((v) => condition.values!.some((p) => wildcard(p, v)));
    const notOk = condition.notValues !== undefined && values.some((v) => condition.notValues!.some((p) => wildcard(p, v)));
    return ok && !notOk;
  });
}

/** The policies that apply to a workload: its namespace's (selector matching or none) and the mesh root's. */
export function policiesFor(policies: AuthorizationPolicy[], namespace: string, labels: Record<string, string>, rootNamespace = 'istio-system'): AuthorizationPolicy[] {
  return policies.filter((p) => (p.metadata.namespace === namespace || p.metadata.namespace === rootNamespace) && matches(labels, p.spec.selector?.matchLabels));
}

/** Evaluates a request against the policies that apply to the workload it reaches. */
export function evaluate(policies: AuthorizationPolicy[], caller: Caller): Decision {
  const name = (p: AuthorizationPolicy) => `${p.metadata.namespace}/${p.metadata.name}`;
  const byAction = (action: string) => policies.filter((p) => (p.spec.action ?? 'ALLOW') === action);
  for (const policy of byAction('DENY')) {
    const rule = (policy.spec.rules ?? []).findIndex((r) => ruleMatches(r, caller));
    if (rule >= 0) return { allowed: false, policy: name(policy), rule, reason: `denied by DENY policy ${name(policy)}, rule ${rule + 1}` };
  }
  const allow = byAction('ALLOW');
  if (allow.length === 0) return { allowed: true, reason: 'allowed: no ALLOW policy applies to this workload, so nothing restricts it' };
  for (const policy of allow) {
    const rule = (policy.spec.rules ?? []).findIndex((r) => ruleMatches(r, caller));
    if (rule >= 0) return { allowed: true, policy: name(policy), rule, reason: `allowed by ${name(policy)}, rule ${rule + 1}` };
  }
  return { allowed: false, reason: `denied: ALLOW policies apply (${allow.map(name).join(', ')}) and none of their rules matches` };
}

/** Readable lines for one rule: who, what, when. */
export function describeRule(rule: AuthorizationRule): { who: string; what: string; when: string } {
  const list = (values: string[] | undefined) => (values ?? []).join(', ');
  const field = (label: string, values: string[] | undefined) => (values?.length ? `${label} ${list(values)}` : undefined);
  const who = (rule.from ?? [])
    .map(({ source }) =>
      [
        field('principals', source.principals),
        field('not principals', source.notPrincipals),
        source.requestPrincipals?.includes('*') ? 'any authenticated user (valid JWT)' : field('request principals', source.requestPrincipals),
        source.notRequestPrincipals?.includes('*') ? 'no JWT' : field('not request principals', source.notRequestPrincipals),
        field('namespaces', source.namespaces),
        field('not namespaces', source.notNamespaces),
      ]
        .filter(Boolean)
        .join(' and '),
    )
    .join(' or ');
  const what = (rule.to ?? []).map(({ operation }) => [field('methods', operation.methods), field('paths', operation.paths), field('hosts', operation.hosts), field('ports', operation.ports), field('not paths', operation.notPaths)].filter(Boolean).join(' and ')).join(' or ');
  const when = (rule.when ?? []).map((c) => `${c.key} ${c.values ? `in [${list(c.values)}]` : ''}${c.notValues ? ` not in [${list(c.notValues)}]` : ''}`.trim()).join(' and ');
  return { who: who || 'anyone', what: what || 'any request', when: when || 'always' };
}
