// The topics of the live-updates stream (/api/events) and the query key each one feeds. Pure, and
// free of zod (the browser imports it to derive its topics from the queries it shows); the server
// reads its query string with topics-query.ts.
import { isDnsLabel } from '@/lib/mesh/names';
import { queryKeys } from '@/lib/queries/keys';

interface TopicSpec {
  /** Read for one namespace or, without one, for every namespace the person can see. */
  namespaced: boolean;
  /** Prometheus numbers: read again at the refresh the person picked, not (only) on cache changes. */
  metrics: boolean;
  /** The query key whose cache entry the topic's payloads replace. */
  key: (namespace: string) => readonly unknown[];
}

const TOPICS = {
  traffic: { namespaced: true, metrics: false, key: queryKeys.traffic.list },
  'traffic-live': { namespaced: true, metrics: true, key: queryKeys.traffic.live },
  resilience: { namespaced: true, metrics: false, key: queryKeys.resilience.list },
  'resilience-live': { namespaced: true, metrics: true, key: queryKeys.resilience.live },
  security: { namespaced: true, metrics: false, key: queryKeys.security.list },
  'security-live': { namespaced: true, metrics: true, key: queryKeys.security.live },
  // The Audit page reads the whole trail of a namespace (or all) and filters it in the table.
  audit: { namespaced: true, metrics: false, key: (namespace) => queryKeys.audit.trail({ namespace, user: '', action: '', q: '' }) },
  // The configuration analysis' findings, pushed when a watch event changes them.
  validation: { namespaced: true, metrics: false, key: queryKeys.validation.list },
  overview: { namespaced: true, metrics: true, key: queryKeys.overview },
  // Rollouts recorded on VirtualServices: the rollback banner on every page and the Rollouts page.
  rollouts: { namespaced: true, metrics: false, key: queryKeys.rollouts.list },
  emergencies: { namespaced: false, metrics: false, key: queryKeys.security.emergencies },
  namespaces: { namespaced: false, metrics: false, key: queryKeys.shell.namespaces },
  cluster: { namespaced: false, metrics: false, key: queryKeys.shell.cluster },
  access: { namespaced: false, metrics: false, key: queryKeys.shell.access },
} satisfies Record<string, TopicSpec>;

export type TopicKind = keyof typeof TOPICS;
export interface Topic {
  kind: TopicKind;
  /** "" for every visible namespace, and for the topics that have none. */
  namespace: string;
}

/** At most this many topics on one connection: a tab shows a handful. */
export const MAX_TOPICS = 32;
/** The longest refresh the stream takes for Prometheus topics, in seconds. */
export const MAX_REFRESH_SECONDS = 3600;

const KINDS = Object.keys(TOPICS) as TopicKind[];
const isKind = (kind: string): kind is TopicKind => Object.hasOwn(TOPICS, kind);
const spec = (kind: TopicKind): TopicSpec => TOPICS[kind];

export const TOPIC_HELP = `topics are ${KINDS.map((kind) => (spec(kind).namespaced ? `${kind}[:<namespace>]` : kind)).join(', ')}`;

/** `traffic:shop` → { kind: 'traffic', namespace: 'shop' }; `traffic` is every namespace. A string says what is wrong. */
export function parseTopic(text: string): Topic | string {
  const [kind = '', namespace, ...rest] = text.split(':');
  if (rest.length > 0 || !isKind(kind) || (namespace !== undefined && !spec(kind).namespaced)) return `unknown topic "${text}": ${TOPIC_HELP}`;
  if (namespace === undefined) return { kind, namespace: '' };
  return isDnsLabel(namespace) ? { kind, namespace } : `"${namespace}" in topic "${text}" is not a namespace name`;
}

export const topicName = (topic: Topic): string => (topic.namespace ? `${topic.kind}:${topic.namespace}` : topic.kind);

/** Whether a topic carries Prometheus numbers (read again at the chosen refresh). */
export const isMetricsTopic = (topic: Topic): boolean => spec(topic.kind).metrics;

/** The query key whose cache entry a topic's payloads replace. */
export const keyOfTopic = (topic: Topic): readonly unknown[] => spec(topic.kind).key(topic.namespace);

// Keys compared as TanStack Query hashes them: objects whatever the order of their fields.
const stable = (key: readonly unknown[]) =>
  JSON.stringify(key, (_, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))) : value,
  );

/**
 * The topic that keeps a query's entry current, if the stream serves it (the KPI and trace
 * queries are not). A namespaced key ends with its namespace, as itself or as `namespace`.
 */
export function topicOfKey(key: readonly unknown[]): string | undefined {
  const last = key.at(-1);
  const namespace = typeof last === 'string' ? last : ((last as { namespace?: unknown } | null | undefined)?.namespace ?? '');
  if (typeof namespace !== 'string') return undefined;
  const hash = stable(key);
  for (const kind of KINDS) {
    const topic: Topic = { kind, namespace: spec(kind).namespaced ? namespace : '' };
    if (stable(keyOfTopic(topic)) === hash) return topicName(topic);
  }
  return undefined;
}
