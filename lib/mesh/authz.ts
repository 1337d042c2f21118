// Istio AuthorizationPolicy, read and evaluated as a sidecar does: DENY, then ALLOW; with ALLOW
// policies present, a request none of them allows is denied; with none, it is allowed. CUSTOM
// policies ask an external authorizer, whose answer Meshdeck cannot know: they are listed, not
// evaluated. AUDIT policies only log. JWTs are checked against the workload's
// RequestAuthentications first (an invalid token is a 401 before any policy is read).
import { selectorMatches } from './selectors';
import type { AuthorizationPolicy, AuthorizationRule, RequestAuthentication } from './security-types';

export interface Caller {
  /** mTLS identity, e.g. cluster.local/ns/shop/sa/cart; none for a plaintext caller. */
  principal?: string;
  /** Source namespace: from the peer certificate, so only with a principal (derived from it when not given). */
  namespace?: string;
  /** Source workload IP (source.ip, ipBlocks). */
  ip?: string;
  /** Original client IP from X-Forwarded-For (remote.ip, remoteIpBlocks); the source IP when not given. */
  remoteIp?: string;
  /** JWT identity as Istio writes it: "<iss>/<sub>"; none without a validated token. */
  requestPrincipal?: string;
  /** The token's `aud`. */
  audiences?: string[];
  /** The token's `azp`. */
  presenter?: string;
  /** The token's claims; nested claims as "a.b". */
  claims?: Record<string, string | string[]>;
  /** Lower-case names. */
  headers?: Record<string, string>;
  method: string;
  path: string;
  host?: string;
  port?: number;
}

/** One policy looked at on the way to the decision, in the order a sidecar looks. */
export interface TraceStep {
  policy: string;
  action: 'ALLOW' | 'DENY' | 'CUSTOM' | 'AUDIT';
  matched: boolean;
  /** The matching rule (0-based), when one matched. */
  rule?: number;
  /** Why each rule did not match, or which did. */
  detail: string;
}

export interface Decision {
  allowed: boolean;
  /** The policy and rule that decided, when one did. */
  policy?: string;
  rule?: number;
  /** What decided: a DENY rule, an ALLOW rule, no ALLOW rule matching, no ALLOW policy at all, or the JWT check. */
  decidedBy: 'DENY' | 'ALLOW' | 'no ALLOW match' | 'no ALLOW policy' | 'authentication';
  reason: string;
  trace: TraceStep[];
  /** What the answer does not cover (CUSTOM policies, unvalidated tokens). */
  notes: string[];
}

const policyName = (p: { metadata: { namespace: string; name: string } }) => `${p.metadata.namespace}/${p.metadata.name}`;

/** Istio's string matching: exact, "*", "prefix*", "*suffix". */
export function wildcard(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

const ipv4 = (ip: string) => {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
};

/** A single IP or a CIDR block (IPv4; IPv6 compares exactly). */
export function inIpBlock(block: string, ip: string | undefined): boolean {
  if (ip === undefined) return false;
  const [base, bits] = block.split('/');
  const a = ipv4(base!);
  const b = ipv4(ip);
  if (a === undefined || b === undefined) return block === ip;
  const size = bits === undefined ? 32 : Number(bits);
  if (!Number.isInteger(size) || size < 0 || size > 32) return false;
  const unit = 2 ** (32 - size);
  return Math.floor(a / unit) === Math.floor(b / unit);
}

/** The caller's source namespace: from its certificate, so none for a plaintext caller. */
export function sourceNamespace(caller: Caller): string | undefined {
  if (!caller.principal) return undefined;
  return caller.namespace || /(?:^|\/)ns\/([^/]+)\//.exec(caller.principal)?.[1];
}

type Test = (pattern: string, value: string | undefined) => boolean;
const show = (value: string | undefined, none: string) => (value === undefined ? none : `"${value}"`);
const list = (values: string[]) => `[${values.join(', ')}]`;

/** Why `field` rejects `value`, or undefined when it accepts it. An unset field accepts anything. */
function check(
  field: string,
  values: string[] | undefined,
  notValues: string[] | undefined,
  value: string | undefined,
  none: string,
  test: Test = wildcard,
): string | undefined {
  if (values !== undefined && !values.some((p) => test(p, value))) return `${field} ${list(values)} does not include ${show(value, none)}`;
  if (notValues !== undefined && notValues.some((p) => test(p, value)))
    return `not${field[0]!.toUpperCase()}${field.slice(1)} ${list(notValues)} excludes ${show(value, none)}`;
  return undefined;
}

const first = (...reasons: (string | undefined)[]) => reasons.find(Boolean);

function sourceMismatch(source: Record<string, string[] | undefined>, caller: Caller): string | undefined {
  const plaintext = 'a plaintext caller (no mTLS principal)';
  return first(
    check('principals', source.principals, source.notPrincipals, caller.principal || undefined, plaintext),
    check(
      'requestPrincipals',
      source.requestPrincipals,
      source.notRequestPrincipals,
      caller.requestPrincipal || undefined,
      'a request without a validated JWT',
    ),
    check(
      'namespaces',
      source.namespaces,
      source.notNamespaces,
      sourceNamespace(caller),
      caller.principal ? 'a caller whose certificate names no namespace' : plaintext,
    ),
    check('ipBlocks', source.ipBlocks, source.notIpBlocks, caller.ip || undefined, 'an unknown source IP', inIpBlock),
    check('remoteIpBlocks', source.remoteIpBlocks, source.notRemoteIpBlocks, caller.remoteIp || caller.ip || undefined, 'an unknown client IP', inIpBlock),
  );
}

/** Paths are matched without the query string (Istio matches the URL path). */
const urlPath = (path: string) => path.split('?')[0]!;
const lower: Test = (pattern, value) => wildcard(pattern.toLowerCase(), value?.toLowerCase());

function operationMismatch(operation: Record<string, string[] | undefined>, caller: Caller): string | undefined {
  const port = caller.port === undefined ? undefined : String(caller.port);
  return first(
    check('methods', operation.methods, operation.notMethods, caller.method, 'no method'),
    check('paths', operation.paths, operation.notPaths, urlPath(caller.path), 'no path'),
    // Hosts match case-insensitively.
    check('hosts', operation.hosts, operation.notHosts, caller.host || undefined, 'no host', lower),
    check('ports', operation.ports, operation.notPorts, port, 'no port'),
  );
}

/** The value(s) a `when` key names for this caller. */
function attribute(key: string, caller: Caller): string[] {
  const one = (v: string | undefined) => (v ? [v] : []);
  const claim = /^request\.auth\.claims((?:\[[^\]]+\])+)$/.exec(key);
  if (claim) {
    if (!caller.requestPrincipal) return []; // claims exist only on a validated token
    const value = caller.claims?.[claim[1]!.slice(1, -1).split('][').join('.')];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  }
  const header = /^request\.headers\[(.+)\]$/.exec(key);
  if (header) return one(caller.headers?.[header[1]!.toLowerCase()]);
  switch (key) {
    case 'source.namespace':
      return one(sourceNamespace(caller));
    case 'source.principal':
      return one(caller.principal);
    case 'source.ip':
      return one(caller.ip);
    case 'remote.ip':
      return one(caller.remoteIp || caller.ip);
    case 'request.auth.principal':
      return one(caller.requestPrincipal);
    case 'request.auth.audiences':
      return caller.requestPrincipal ? (caller.audiences ?? []) : [];
    case 'request.auth.presenter':
      return caller.requestPrincipal ? one(caller.presenter) : [];
    case 'destination.port':
      return one(caller.port === undefined ? undefined : String(caller.port));
    default:
      return [];
  }
}

function conditionMismatch(condition: { key: string; values?: string[]; notValues?: string[] }, caller: Caller): string | undefined {
  const values = attribute(condition.key, caller);
  const test: Test = condition.key.endsWith('.ip') ? inIpBlock : wildcard;
  const got = values.length ? list(values) : 'nothing';
  if (condition.values !== undefined && !values.some((v) => condition.values!.some((p) => test(p, v))))
    return `when ${condition.key} in ${list(condition.values)}: the request has ${got}`;
  if (condition.notValues !== undefined && values.some((v) => condition.notValues!.some((p) => test(p, v))))
    return `when ${condition.key} not in ${list(condition.notValues)}: the request has ${got}`;
  return undefined;
}

/** Why a rule does not match the request, or undefined when it does. An empty rule matches everything. */
export function ruleMismatch(rule: AuthorizationRule, caller: Caller): string | undefined {
  const any = <T>(items: T[] | undefined, mismatch: (item: T) => string | undefined, what: string) => {
    if (items === undefined || items.length === 0) return undefined;
    const reasons = items.map(mismatch);
    if (reasons.some((r) => r === undefined)) return undefined;
    return items.length === 1 ? reasons[0] : `none of the ${items.length} ${what} matches (${reasons.join('; ')})`;
  };
  return first(
    any(rule.from, (f) => sourceMismatch(f.source ?? {}, caller), 'sources'),
    any(rule.to, (t) => operationMismatch(t.operation ?? {}, caller), 'operations'),
    ...(rule.when ?? []).map((c) => conditionMismatch(c, caller)),
  );
}

export const ruleMatches = (rule: AuthorizationRule, caller: Caller) => ruleMismatch(rule, caller) === undefined;

/** The policies that apply to a workload: its namespace's (selector matching or none) and the mesh root's. */
export function policiesFor<P extends { metadata: { namespace: string }; spec: { selector?: { matchLabels?: Record<string, string> } } }>(
  policies: P[],
  namespace: string,
  labels: Record<string, string>,
  rootNamespace = 'istio-system',
): P[] {
  return policies.filter((p) => (p.metadata.namespace === namespace || p.metadata.namespace === rootNamespace) && selectorMatches(p.spec.selector, labels));
}

/** One policy against the request: the first matching rule, or why none matched. */
function walk(policy: AuthorizationPolicy, caller: Caller): TraceStep {
  const action = policy.spec.action ?? 'ALLOW';
  const rules = policy.spec.rules ?? [];
  if (rules.length === 0)
    return { policy: policyName(policy), action, matched: false, detail: action === 'ALLOW' ? 'no rules: it allows nothing' : 'no rules: it matches nothing' };
  const misses: string[] = [];
  for (const [i, rule] of rules.entries()) {
    const miss = ruleMismatch(rule, caller);
    if (miss === undefined)
      return { policy: policyName(policy), action, matched: true, rule: i, detail: `rule ${i + 1} matches${misses.length ? ` (${misses.join('; ')})` : ''}` };
    misses.push(`rule ${i + 1}: ${miss}`);
  }
  return { policy: policyName(policy), action, matched: false, detail: misses.join('; ') };
}

/**
 * Evaluates a request against the AuthorizationPolicies that apply to the workload it reaches,
 * as the workload's sidecar does: every DENY policy first (any matching rule denies), then
 * the ALLOW policies (if any applies, one of their rules must match), else allowed. The
 * caller's token must already be validated (see `authenticate`).
 */
export function evaluate(policies: AuthorizationPolicy[], caller: Caller): Decision {
  const byAction = (action: string) => policies.filter((p) => (p.spec.action ?? 'ALLOW') === action);
  const custom = byAction('CUSTOM');
  const notes = custom.map(
    (p) =>
      `CUSTOM policy ${policyName(p)} (provider ${p.spec.provider?.name ?? 'unnamed'}) is not evaluated: its external authorizer decides, before the DENY policies, and Meshdeck cannot know its answer.`,
  );
  const trace: TraceStep[] = [];
  for (const policy of byAction('DENY')) {
    const step = walk(policy, caller);
    trace.push(step);
    if (step.matched)
      return {
        allowed: false,
        policy: step.policy,
        rule: step.rule,
        decidedBy: 'DENY',
        reason: `denied by DENY policy ${step.policy}, rule ${step.rule! + 1}`,
        trace,
        notes,
      };
  }
  const allow = byAction('ALLOW');
  if (allow.length === 0)
    return {
      allowed: true,
      decidedBy: 'no ALLOW policy',
      reason: `allowed: ${trace.length ? 'no DENY rule matches and ' : ''}no ALLOW policy applies to this workload, so nothing restricts it`,
      trace,
      notes,
    };
  for (const policy of allow) {
    const step = walk(policy, caller);
    trace.push(step);
    if (step.matched)
      return {
        allowed: true,
        policy: step.policy,
        rule: step.rule,
        decidedBy: 'ALLOW',
        reason: `allowed by ${step.policy}, rule ${step.rule! + 1}`,
        trace,
        notes,
      };
  }
  return {
    allowed: false,
    decidedBy: 'no ALLOW match',
    reason: `denied: ALLOW policies apply (${allow.map(policyName).join(', ')}) and none of their rules matches`,
    trace,
    notes,
  };
}

/** The issuer of a request principal "<iss>/<sub>" (the issuer may itself contain slashes). */
export const issuerOf = (requestPrincipal: string) => requestPrincipal.slice(0, Math.max(0, requestPrincipal.lastIndexOf('/')));

/**
 * What the workload's JWT check makes of the caller's token (its signature and expiry taken as
 * valid): rejected with a 401 (issuer not configured, audience not accepted), ignored (no
 * RequestAuthentication applies, so no request principal and no claims), or accepted.
 */
export function authenticate(requestAuthentications: RequestAuthentication[], caller: Caller): { caller: Caller; rejected?: string; note?: string } {
  if (!caller.requestPrincipal) return { caller };
  const rules = requestAuthentications.flatMap((r) => (r.spec.jwtRules ?? []).map((rule) => ({ rule, from: policyName(r) })));
  const stripped: Caller = { ...caller, requestPrincipal: undefined, audiences: undefined, presenter: undefined, claims: undefined };
  if (rules.length === 0)
    return {
      caller: stripped,
      note: 'No RequestAuthentication applies to this workload: its sidecar does not validate tokens, so the request has no request principal and no claims.',
    };
  const issuer = issuerOf(caller.requestPrincipal);
  const byIssuer = rules.filter(({ rule }) => rule.issuer === issuer);
  if (byIssuer.length === 0)
    return {
      caller: stripped,
      rejected: `the token's issuer "${issuer}" is not configured in ${[...new Set(rules.map((r) => r.from))].join(', ')} (a request with an invalid token is answered 401)`,
    };
  const accepted = byIssuer.find(({ rule }) => !rule.audiences?.length || (caller.audiences ?? []).some((a) => rule.audiences!.includes(a)));
  if (!accepted)
    return {
      caller: stripped,
      rejected: `the token's audiences ${list(caller.audiences ?? [])} are not among those ${byIssuer[0]!.from} accepts for ${issuer}: ${list(byIssuer.flatMap(({ rule }) => rule.audiences ?? []))} (answered 401)`,
    };
  return { caller };
}

/** The JWT check, then the policies: the full answer to "can this caller do this?". */
export function decide(policies: AuthorizationPolicy[], requestAuthentications: RequestAuthentication[], caller: Caller): Decision {
  const auth = authenticate(requestAuthentications, caller);
  if (auth.rejected) return { allowed: false, decidedBy: 'authentication', reason: `rejected before authorization: ${auth.rejected}`, trace: [], notes: [] };
  const decision = evaluate(policies, auth.caller);
  return auth.note ? { ...decision, notes: [auth.note, ...decision.notes] } : decision;
}

/** Whether a rule can only match a request carrying a validated JWT. */
function needsToken(rule: AuthorizationRule): boolean {
  const fromNeeds = Boolean(rule.from?.length) && rule.from!.every((f) => f.source?.requestPrincipals?.length);
  return fromNeeds || (rule.when ?? []).some((c) => c.key.startsWith('request.auth.') && c.values !== undefined);
}

/** Whether a rule matches requests because they carry no JWT (a DENY on that closes the workload to them). */
function matchesMissingToken(rule: AuthorizationRule): boolean {
  return Boolean(rule.from?.length) && rule.from!.every((f) => f.source?.notRequestPrincipals?.includes('*'));
}

export interface TokenRequirement {
  /** always: no request without a token gets in; sometimes: some requests need one; never. */
  required: 'always' | 'sometimes' | 'never';
  because: string[];
}

/**
 * Which requests to a workload need a token, from the policies that apply to it: a DENY rule
 * that matches requests without one (notRequestPrincipals: ["*"]), and ALLOW rules that only
 * match with one (requestPrincipals, request.auth conditions). Without an ALLOW policy, a
 * request without a token is still allowed unless a DENY rule closes it.
 */
export function tokenRequirement(policies: AuthorizationPolicy[]): TokenRequirement {
  const because: string[] = [];
  let always = false;
  for (const p of policies.filter((q) => q.spec.action === 'DENY')) {
    for (const [i, rule] of (p.spec.rules ?? []).entries()) {
      if (!matchesMissingToken(rule)) continue;
      const d = describeRule(rule);
      const unconditional = !rule.to?.length && !rule.when?.length && rule.from!.every((f) => Object.keys(f.source).length === 1);
      always ||= unconditional;
      because.push(
        `DENY ${policyName(p)} rule ${i + 1} denies ${d.who}${d.what === 'any request' ? '' : ` for ${d.what}`}${d.when === 'always' ? '' : ` when ${d.when}`}`,
      );
    }
  }
  const allow = policies.filter((q) => (q.spec.action ?? 'ALLOW') === 'ALLOW');
  const rules = allow.flatMap((p) => (p.spec.rules ?? []).map((rule, i) => ({ p, rule, i })));
  const withToken = rules.filter(({ rule }) => needsToken(rule));
  for (const { p, rule, i } of withToken) {
    const d = describeRule(rule);
    because.push(
      `ALLOW ${policyName(p)} rule ${i + 1} needs a token: ${d.who}${d.what === 'any request' ? '' : ` for ${d.what}`}${d.when === 'always' ? '' : ` when ${d.when}`}`,
    );
  }
  if (allow.length && withToken.length && withToken.length === rules.length) always = true;
  if (allow.length && withToken.length < rules.length && withToken.length)
    because.push(`${rules.length - withToken.length} other ALLOW rule(s) admit requests without a token`);
  return { required: always ? 'always' : because.length ? 'sometimes' : 'never', because };
}

/** Readable lines for one rule: who, what, when. */
export function describeRule(rule: AuthorizationRule): { who: string; what: string; when: string } {
  const field = (label: string, values: string[] | undefined) => (values?.length ? `${label} ${values.join(', ')}` : undefined);
  const who = (rule.from ?? [])
    .map(({ source }) =>
      [
        field('principals', source.principals),
        source.notPrincipals?.includes('*') ? 'no mTLS identity (plaintext)' : field('not principals', source.notPrincipals),
        source.requestPrincipals?.includes('*') ? 'any authenticated user (valid JWT)' : field('request principals', source.requestPrincipals),
        source.notRequestPrincipals?.includes('*') ? 'no JWT' : field('not request principals', source.notRequestPrincipals),
        field('namespaces', source.namespaces),
        field('not namespaces', source.notNamespaces),
        field('IPs', source.ipBlocks),
        field('not IPs', source.notIpBlocks),
        field('client IPs', source.remoteIpBlocks),
      ]
        .filter(Boolean)
        .join(' and '),
    )
    .join(' or ');
  const what = (rule.to ?? [])
    .map(({ operation }) =>
      [
        field('methods', operation.methods),
        field('not methods', operation.notMethods),
        field('paths', operation.paths),
        field('not paths', operation.notPaths),
        field('hosts', operation.hosts),
        field('ports', operation.ports),
      ]
        .filter(Boolean)
        .join(' and '),
    )
    .join(' or ');
  const when = (rule.when ?? [])
    .map((c) => `${c.key} ${c.values ? `in [${c.values.join(', ')}]` : ''}${c.notValues ? ` not in [${c.notValues.join(', ')}]` : ''}`.trim())
    .join(' and ');
  return { who: who || 'anyone', what: what || 'any request', when: when || 'always' };
}
