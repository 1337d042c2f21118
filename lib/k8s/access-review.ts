// What the cluster lets one person do, asked as that person: SelfSubjectRulesReview and
// SelfSubjectAccessReview sent with Impersonate-User and every Impersonate-Group (without the
// groups the API server drops them: golden 49). Answers are kept per identity for ~30 s.
import { kubeRequest } from './http';

/** Who to ask as: the signed-in person's name and all their groups. */
export interface Identity {
  user: string;
  groups: string[];
}

/** One rule of a SelfSubjectRulesReview's status.resourceRules. */
export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

/** The rules that apply to the person in one namespace (cluster-wide bindings included). */
export interface NamespaceRules {
  resourceRules: ResourceRule[];
  /** The authorizer could not list every rule (e.g. a webhook authorizer): ask SelfSubjectAccessReview. */
  incomplete: boolean;
}

/** One question for a SelfSubjectAccessReview; no namespace asks cluster-wide. */
export interface AccessQuestion {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
}

export const ACCESS_REVIEW_TTL_MS = 30_000;

const identityKey = (identity: Identity) => JSON.stringify([identity.user, [...identity.groups].sort()]);

/** A time-bounded memo of promises; a failed promise is forgotten at once so the next call asks again. */
export class TtlMemo<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 5_000,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    if (this.entries.size >= this.maxEntries) for (const [k, e] of this.entries) if (now - e.at >= this.ttlMs) this.entries.delete(k);
    const value = load();
    this.entries.set(key, { at: now, value });
    value.catch(() => this.entries.delete(key));
    return value;
  }
}

const globalKey = Symbol.for('meshdeck.accessReviews');
type Memos = { rules: TtlMemo<NamespaceRules>; access: TtlMemo<boolean> };
const memos = (): Memos => ((globalThis as typeof globalThis & { [globalKey]?: Memos })[globalKey] ??= { rules: new TtlMemo(ACCESS_REVIEW_TTL_MS), access: new TtlMemo(ACCESS_REVIEW_TTL_MS) });

/** The person's rules in a namespace, from a SelfSubjectRulesReview made as them (cached ~30 s). */
export function rulesReview(identity: Identity, namespace: string): Promise<NamespaceRules> {
  return memos().rules.get(`${identityKey(identity)} ${namespace}`, async () => {
    const review = await kubeRequest<{ status?: { resourceRules?: ResourceRule[]; incomplete?: boolean } }>({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } },
      impersonate: identity,
    });
    return { resourceRules: review.status?.resourceRules ?? [], incomplete: review.status?.incomplete === true };
  });
}

/** Whether the person may do one thing, from a SelfSubjectAccessReview made as them (cached ~30 s). */
export function accessReview(identity: Identity, question: AccessQuestion): Promise<boolean> {
  return memos().access.get(`${identityKey(identity)} ${question.verb} ${question.group}/${question.resource} ${question.namespace ?? ''}`, async () => {
    const review = await kubeRequest<{ status?: { allowed?: boolean } }>({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: question.verb, group: question.group, resource: question.resource, ...(question.namespace ? { namespace: question.namespace } : {}) } } },
      impersonate: identity,
    });
    return review.status?.allowed === true;
  });
}

const matches = (list: string[] | undefined, value: string) => (list ?? []).some((v) => v === '*' || v === value);

/**
 * Whether the rules grant a verb on a resource (of any name: rules limited to resourceNames do
 * not grant list, create, or an action on the whole collection). Pure.
 */
export function rulesAllow(rules: ResourceRule[], verb: string, group: string, resource: string): boolean {
  return rules.some((rule) => !rule.resourceNames?.length && matches(rule.verbs, verb) && matches(rule.apiGroups, group) && matches(rule.resources, resource));
}
