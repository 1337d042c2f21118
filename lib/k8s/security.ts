// The Security page's reading of the cluster, and its writes: emergency PERMISSIVE and
// local rate limits. Reads come from the watch-backed caches; writes carry preconditions.
import { decide, describeRule, policiesFor, tokenRequirement, type Caller } from '@/lib/mesh/authz';
import { DEFAULT_EMERGENCY_MINUTES, MAX_EMERGENCY_MINUTES, emergencyOf, extendedDeadline, extendPatch, restorePatch, startPatch, type EmergencyState } from '@/lib/mesh/emergency';
import { scopeMode, tlsConflicts, workloadMode, type Workload } from '@/lib/mesh/mtls';
import type { JsonPatchOp } from '@/lib/mesh/patches';
import { serverEnv } from '@/lib/env';
import { describeSelector } from '@/lib/mesh/selectors';
import { findTokenBuckets, restoreTokenBucketPatch, tokenBucketPatch, validateTokenBucket, type EnvoyFilter } from '@/lib/mesh/rate-limits';
import type { AuthorizationPolicy, PeerAuthentication, RequestAuthentication } from '@/lib/mesh/security-types';
import type { DestinationRule } from '@/lib/mesh/types';
import { cacheFor } from './caches';
import { ApiError } from './errors';
import { authorizationPolicies, deployments, destinationRules, envoyFilters, peerAuthentications, requestAuthentications, services } from './resources';
import { getObject, jsonPatch, objectAtVersion, type WriteOptions } from './writes';

export const rootNamespace = () => serverEnv().MESHDECK_ROOT_NAMESPACE ?? 'istio-system';

type Deployment = { metadata: { name: string; namespace: string }; spec?: { template?: { metadata?: { labels?: Record<string, string> }; spec?: { serviceAccountName?: string; containers?: { ports?: { containerPort: number }[] }[] } } } };
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
      workloads: describeSelector(r.spec.selector, `every workload in ${r.metadata.namespace}`),
      providers: (r.spec.jwtRules ?? []).map((j) => ({ issuer: j.issuer, jwksUri: j.jwksUri, audiences: j.audiences ?? [], fromHeaders: (j.fromHeaders ?? []).map((h) => `${h.name}${h.prefix ? ` (${h.prefix.trim()} …)` : ''}`), forwardOriginalToken: j.forwardOriginalToken ?? false })),
    })),
    // Which workloads' requests need a token: DENY rules on requests without one, ALLOW rules that only match with one.
    tokenRequired: workloads.map((w) => ({ workload: `${w.namespace}/${w.name}`, ...tokenRequirement(policiesFor(ap.list(), w.namespace, w.labels, root)) })),
    // The mTLS identities of the workloads, for the "can this caller do this?" form (default trust domain).
    principals: [...new Set(dep.list(namespace).map((d) => `cluster.local/ns/${d.metadata.namespace}/sa/${d.spec?.template?.spec?.serviceAccountName || 'default'}`))].sort(),
    authorization: authz.map((p) => ({
      namespace: p.metadata.namespace,
      name: p.metadata.name,
      action: p.spec.action ?? 'ALLOW',
      workloads: describeSelector(p.spec.selector, `every workload in ${p.metadata.namespace}`),
      // The selector itself, so a view of one workload (the graph's side panel) finds the policies that select it.
      selector: p.spec.selector ?? {},
      rules: (p.spec.rules ?? []).map(describeRule),
    })),
    rateLimits: ef.list(namespace).flatMap((f) => findTokenBuckets(f)),
  };
}

/**
 * "Can this caller do this?": the JWT check and the AuthorizationPolicies of the workload an app
 * label names (the labels all its Deployments share, so a version-specific selector is not
 * taken for all of them), evaluated as its sidecar would.
 */
export async function evaluateRequest(namespace: string, app: string, caller: Caller) {
  const [ap, ra, dep] = await Promise.all([cacheFor<AuthorizationPolicy>(authorizationPolicies), cacheFor<RequestAuthentication>(requestAuthentications), cacheFor<Deployment>(deployments)]);
  const labelSets = dep.list(namespace).map((d) => d.spec?.template?.metadata?.labels ?? {}).filter((l) => l.app === app);
  const labels = labelSets.length ? Object.fromEntries(Object.entries(labelSets[0]!).filter(([k, v]) => labelSets.every((l) => l[k] === v))) : { app };
  const policies = policiesFor(ap.list(), namespace, labels, rootNamespace());
  return { decision: decide(policies, policiesFor(ra.list(), namespace, labels, rootNamespace()), caller), policies: policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`) };
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

/**
 * Adds `minutes` to an emergency's deadline (at most 24 hours from now; the answer says when
 * that cut the extension short). The item carries the previous and the new deadline.
 */
export async function extendEmergency(namespace: string, minutes: number, options: WriteOptions): Promise<Omit<EmergencyChange, 'item'> & { item: EmergencyState & { previousRevertAt: string; capped: boolean; message: string } }> {
  if (minutes < 1 || minutes > MAX_EMERGENCY_MINUTES) throw new ApiError(400, `An extension is 1 to ${MAX_EMERGENCY_MINUTES} minutes`, 'BadRequest');
  const policy = await namespacePolicy(namespace);
  const state = emergencyOf(policy);
  if (!state) throw new ApiError(409, `No emergency is active in ${namespace}`, 'Conflict');
  const { revertAt, capped } = extendedDeadline(state.revertAt, minutes, new Date());
  const patch = extendPatch(policy, revertAt);
  const updated = await jsonPatch<PeerAuthentication & { metadata: { generation?: number } }>(peerAuthentications, namespace, policy.metadata.name, patch, options);
  const message = `Deadline moved from ${state.revertAt} to ${revertAt.toISOString()}${capped ? ` (capped: an emergency ends at most ${MAX_EMERGENCY_MINUTES / 60} hours from now, so it was extended by less than ${minutes} minutes)` : ` (+${minutes} minutes)`}`;
  return {
    item: { ...emergencyOf(updated)!, previousRevertAt: state.revertAt, capped, message },
    resource: paResource(namespace, policy.metadata.name),
    patch,
    revert: extendPatch(updated, new Date(state.revertAt)),
    summary: `emergency in ${namespace} extended: revert at ${revertAt.toISOString()} instead of ${state.revertAt}${capped ? ' (capped at 24 hours from now)' : ''}`,
    resourceVersion: updated.metadata.resourceVersion,
  };
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

/** An EnvoyFilter's token buckets as the cluster holds them now (returned with a 409, for the conflict view). */
export async function currentTokenBuckets(namespace: string, name: string) {
  const filter = await getObject<EnvoyFilter>(envoyFilters, namespace, name);
  return { resourceVersion: filter.metadata.resourceVersion, buckets: findTokenBuckets(filter) };
}
