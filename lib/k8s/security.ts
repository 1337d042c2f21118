// The Security page's reading of the cluster, and its writes: emergency PERMISSIVE and
// local rate limits. Reads come from the watch-backed caches; writes carry preconditions.
import { describeRule, policiesFor } from '@/lib/mesh/authz';
import { DEFAULT_EMERGENCY_MINUTES, MAX_EMERGENCY_MINUTES, emergencyOf, extendPatch, restorePatch, startPatch, type EmergencyState } from '@/lib/mesh/emergency';
import { scopeMode, tlsConflicts, workloadMode, type Workload } from '@/lib/mesh/mtls';
import type { JsonPatchOp } from '@/lib/mesh/patches';
import { findTokenBuckets, restoreTokenBucketPatch, tokenBucketPatch, validateTokenBucket, type EnvoyFilter } from '@/lib/mesh/rate-limits';
import type { AuthorizationPolicy, PeerAuthentication, RequestAuthentication } from '@/lib/mesh/security-types';
import type { DestinationRule } from '@/lib/mesh/types';
import { cacheFor } from './caches';
import { ApiError } from './errors';
import { authorizationPolicies, deployments, destinationRules, envoyFilters, peerAuthentications, requestAuthentications, services } from './resources';
import { jsonPatch, objectAtVersion, type WriteOptions } from './writes';

export const rootNamespace = () => process.env.MESHDECK_ROOT_NAMESPACE ?? 'istio-system';

type Deployment = { metadata: { name: string; namespace: string }; spec?: { template?: { metadata?: { labels?: Record<string, string> }; spec?: { containers?: { ports?: { containerPort: number }[] }[] } } } };
type Service = { metadata: { name: string; namespace: string }; spec?: { selector?: Record<string, string> } };
export type { TokenBucket } from '@/lib/mesh/rate-limits';

export async function securityView(namespace?: string) {
  const [pa, ra, ap, dep, svc, dr, ef] = await Promise.all([
    cacheFor<PeerAuthentication>(peerAuthentications),
    cacheFor<RequestAuthentication>(requestAuthentications),
    cacheFor<AuthorizationPolicy>(authorizationPolicies),
    cacheFor<Deployment>(deployments),
    cacheFor<Service>(services),
    cacheFor<DestinationRule>(destinationRules),
    cacheFor<EnvoyFilter>(envoyFilters),
  ]);
  const root = rootNamespace();
  const policies = pa.list();
  const workloads: Workload[] = dep.list(namespace).map((d) => ({
    namespace: d.metadata.namespace,
    name: d.metadata.name,
    labels: d.spec?.template?.metadata?.labels ?? {},
    ports: [...new Set((d.spec?.template?.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => p.containerPort)))],
  }));
  const modes = workloads.map((w) => workloadMode(policies, root, w));
  const namespaces = [...new Set([...workloads.map((w) => w.namespace), ...policies.map((p) => p.metadata.namespace).filter((n) => n !== root && (!namespace || n === namespace))])].sort();
  const selectors = new Map(svc.list().map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s.spec?.selector ?? {}]));
  const authz = ap.list(namespace);
  return {
    mesh: scopeMode(policies, root),
    rootNamespace: root,
    namespaces: namespaces.map((ns) => ({ namespace: ns, ...scopeMode(policies, root, ns) })),
    workloads: modes,
    conflicts: tlsConflicts(dr.list(), modes, selectors),
    emergencies: policies.map(emergencyOf).filter((e): e is EmergencyState => Boolean(e)),
    jwt: ra.list(namespace).map((r) => ({
      namespace: r.metadata.namespace,
      name: r.metadata.name,
      workloads: r.spec.selector?.matchLabels ? Object.entries(r.spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(', ') : `every workload in ${r.metadata.namespace}`,
      providers: (r.spec.jwtRules ?? []).map((j) => ({ issuer: j.issuer, jwksUri: j.jwksUri, audiences: j.audiences ?? [], fromHeaders: (j.fromHeaders ?? []).map((h) => `${h.name}${h.prefix ? ` (${h.prefix.trim()} …)` : ''}`), forwardOriginalToken: j.forwardOriginalToken ?? false })),
    })),
    // Which workloads' requests need a token: an ALLOW rule that asks for a request principal.
    tokenRequired: workloads.map((w) => {
      const rules = policiesFor(authz, w.namespace, w.labels, root).filter((p) => (p.spec.action ?? 'ALLOW') === 'ALLOW').flatMap((p) => (p.spec.rules ?? []).map((r) => ({ policy: p.metadata.name, rule: r })));
      const withToken = rules.filter(({ rule }) => rule.from?.some((f) => f.source.requestPrincipals?.length));
      return { workload: `${w.namespace}/${w.name}`, rules: rules.length, requireToken: withToken.map(({ policy, rule }) => `${policy}: ${describeRule(rule).what}`), open: rules.length === 0 };
    }),
    authorization: authz.map((p) => ({
      namespace: p.metadata.namespace,
      name: p.metadata.name,
      action: p.spec.action ?? 'ALLOW',
      workloads: p.spec.selector?.matchLabels ? Object.entries(p.spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(', ') : `every workload in ${p.metadata.namespace}`,
      rules: (p.spec.rules ?? []).map(describeRule),
    })),
    rateLimits: ef.list(namespace).flatMap((f) => findTokenBuckets(f)),
  };
}

async function namespacePolicy(namespace: string): Promise<PeerAuthentication & { metadata: { generation?: number } }> {
  const cache = await cacheFor<PeerAuthentication & { metadata: { generation?: number } }>(peerAuthentications);
  const policy = cache.list(namespace).find((p) => !p.spec.selector?.matchLabels);
  if (!policy) {
    throw new ApiError(400, `${namespace} has no namespace-wide PeerAuthentication to relax: its mTLS follows the mesh-wide policy${namespace === rootNamespace() ? '' : ` (use the whole mesh, ${rootNamespace()}, instead)`}`, 'BadRequest');
  }
  return policy;
}

export interface EmergencyChange {
  item: EmergencyState | undefined;
  resource: { apiVersion: string; kind: string; namespace: string; name: string };
  patch: JsonPatchOp[];
  revert: JsonPatchOp[];
  summary: string;
  resourceVersion: string;
}

const paResource = (namespace: string, name: string) => ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace, name });

const asBadRequest = (error: unknown): never => {
  throw error instanceof ApiError ? error : new ApiError(409, (error as Error).message, 'Conflict');
};

export async function startEmergency(namespace: string, input: { reason: string; minutes?: number }, by: string, options: WriteOptions): Promise<EmergencyChange> {
  const policy = await namespacePolicy(namespace);
  const minutes = input.minutes ?? DEFAULT_EMERGENCY_MINUTES;
  let patch: JsonPatchOp[] = [];
  try {
    patch = startPatch(policy, { reason: input.reason, by, now: new Date(), minutes });
  } catch (error) {
    asBadRequest(error);
  }
  const updated = await jsonPatch<PeerAuthentication & { metadata: { generation?: number } }>(peerAuthentications, namespace, policy.metadata.name, patch, options);
  const state = emergencyOf(updated)!;
  return { item: state, resource: paResource(namespace, policy.metadata.name), patch, revert: restorePatch(updated), summary: `mTLS ${state.previousMode} → PERMISSIVE in ${namespace} until ${state.revertAt}`, resourceVersion: updated.metadata.resourceVersion };
}

export async function restoreEmergency(namespace: string, options: WriteOptions): Promise<EmergencyChange> {
  const policy = await namespacePolicy(namespace);
  const state = emergencyOf(policy);
  if (!state) throw new ApiError(409, `No emergency is active in ${namespace}`, 'Conflict');
  if (state.changedSince) throw new ApiError(409, `The PeerAuthentication ${namespace}/${policy.metadata.name} was changed after the emergency began; restoring would overwrite that change. Set its mode by hand.`, 'Conflict');
  const patch = restorePatch(policy);
  const updated = await jsonPatch<PeerAuthentication>(peerAuthentications, namespace, policy.metadata.name, patch, options);
  return { item: undefined, resource: paResource(namespace, policy.metadata.name), patch, revert: [], summary: `mTLS PERMISSIVE → ${state.previousMode} in ${namespace}`, resourceVersion: updated.metadata.resourceVersion };
}

export async function extendEmergency(namespace: string, minutes: number, options: WriteOptions): Promise<EmergencyChange> {
  if (minutes < 1 || minutes > MAX_EMERGENCY_MINUTES) throw new ApiError(400, `An emergency lasts 1 to ${MAX_EMERGENCY_MINUTES} minutes from now`, 'BadRequest');
  const policy = await namespacePolicy(namespace);
  const state = emergencyOf(policy);
  if (!state) throw new ApiError(409, `No emergency is active in ${namespace}`, 'Conflict');
  const revertAt = new Date(Date.now() + minutes * 60_000);
  const patch = extendPatch(policy, revertAt);
  const updated = await jsonPatch<PeerAuthentication & { metadata: { generation?: number } }>(peerAuthentications, namespace, policy.metadata.name, patch, options);
  return { item: emergencyOf(updated), resource: paResource(namespace, policy.metadata.name), patch, revert: [], summary: `emergency in ${namespace} extended to ${revertAt.toISOString()}`, resourceVersion: updated.metadata.resourceVersion };
}

/**
 * Sets one token bucket of an EnvoyFilter's local rate limit, in the shape it is stored in
 * (direct or TypedStruct). `bucket` names it (its JSON pointer, from the view); without it,
 * the first bucket of config patch `patchIndex`.
 */
export async function setTokenBucket(namespace: string, name: string, patchIndex: number, input: { resourceVersion: string; maxTokens: number; tokensPerFill: number; fillInterval: string; bucket?: string }, options: WriteOptions) {
  const filter = await objectAtVersion<EnvoyFilter>(envoyFilters, namespace, name, input.resourceVersion);
  const inPatch = filter ? findTokenBuckets(filter).filter((b) => b.patchIndex === patchIndex) : [];
  const current = input.bucket === undefined ? inPatch[0] : inPatch.find((b) => b.bucket === input.bucket);
  if (!filter || !current) throw new ApiError(404, `EnvoyFilter ${namespace}/${name} has no local rate limit token bucket in config patch ${patchIndex}${input.bucket ? ` at ${input.bucket}` : ''}`, 'NotFound');
  const errors = validateTokenBucket(input, current);
  if (Object.keys(errors).length) throw new ApiError(400, Object.values(errors).join('; '), 'BadRequest', { fields: errors });
  // The object at the version the editor read: its values are the revert's, its version the precondition.
  const patch = tokenBucketPatch(filter, current.bucket, input);
  const updated = await jsonPatch<EnvoyFilter>(envoyFilters, namespace, name, patch, options);
  const next = findTokenBuckets(updated).find((b) => b.bucket === current.bucket)!;
  return { item: next, patch, revert: restoreTokenBucketPatch(updated, filter, current.bucket), summary: `token bucket ${current.maxTokens}/${current.tokensPerFill} per ${current.fillInterval} → ${next.maxTokens}/${next.tokensPerFill} per ${next.fillInterval}`, resourceVersion: updated.metadata.resourceVersion };
}
