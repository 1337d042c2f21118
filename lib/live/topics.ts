// The topics of the live-updates stream (/api/events) and the query key each one feeds. Pure:
// the browser derives its topics from the queries it shows, the server checks what it is asked.
import { z } from 'zod';
import { namespaceName } from '@/lib/api/param-schemas';
import { queryKeys } from '@/lib/queries/keys';

/** Views of one namespace or, without one, of every namespace the person can see. */
const NAMESPACED = ['traffic', 'resilience', 'security'] as const;
/** Views with no namespace: the emergency banner, the namespace picker, the cluster badge, the person's RBAC. */
const GLOBAL = ['emergencies', 'namespaces', 'cluster', 'access'] as const;

export type TopicKind = (typeof NAMESPACED)[number] | (typeof GLOBAL)[number];
export interface Topic {
  kind: TopicKind;
  /** "" for every visible namespace, and for the global topics. */
  namespace: string;
}

/** At most this many topics on one connection: a tab shows a handful. */
export const MAX_TOPICS = 32;

const isNamespaced = (kind: string): kind is (typeof NAMESPACED)[number] => (NAMESPACED as readonly string[]).includes(kind);
const isGlobal = (kind: string): kind is (typeof GLOBAL)[number] => (GLOBAL as readonly string[]).includes(kind);

export const TOPIC_HELP = `topics are ${NAMESPACED.map((k) => `${k}[:<namespace>]`).join(', ')}, ${GLOBAL.join(', ')}`;

/** `traffic:shop` → { kind: 'traffic', namespace: 'shop' }; `traffic` is every namespace. */
export const topicSchema = z.string().transform((text, context): Topic => {
  const [kind = '', namespace, ...rest] = text.split(':');
  if (rest.length === 0 && isGlobal(kind) && namespace === undefined) return { kind, namespace: '' };
  if (rest.length === 0 && isNamespaced(kind)) {
    if (namespace === undefined) return { kind, namespace: '' };
    if (namespaceName.safeParse(namespace).success) return { kind, namespace };
    context.addIssue({ code: 'custom', message: `"${namespace}" in topic "${text}" is not a namespace name` });
    return z.NEVER;
  }
  context.addIssue({ code: 'custom', message: `unknown topic "${text}": ${TOPIC_HELP}` });
  return z.NEVER;
});

/** `?topics=traffic:shop,emergencies`: a comma-separated list, duplicates dropped. */
export const topicsQuery = z.object({
  topics: z
    .string({ error: `topics is required: ${TOPIC_HELP}` })
    .transform((list) => [...new Set(list.split(',').filter(Boolean))])
    .pipe(z.array(topicSchema).min(1, `name at least one topic: ${TOPIC_HELP}`).max(MAX_TOPICS, `at most ${MAX_TOPICS} topics on one connection`)),
});

export const topicName = (topic: Topic): string => (topic.namespace ? `${topic.kind}:${topic.namespace}` : topic.kind);

/** The query key whose cache entry a topic's payloads replace. */
export function keyOfTopic(topic: Topic): readonly unknown[] {
  switch (topic.kind) {
    case 'traffic':
      return queryKeys.traffic.list(topic.namespace);
    case 'resilience':
      return queryKeys.resilience.list(topic.namespace);
    case 'security':
      return queryKeys.security.list(topic.namespace);
    case 'emergencies':
      return queryKeys.security.emergencies();
    case 'namespaces':
      return queryKeys.shell.namespaces();
    case 'cluster':
      return queryKeys.shell.cluster();
    case 'access':
      return queryKeys.shell.access();
  }
}

const sameKey = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((part, i) => part === b[i]);

/** The topic that keeps a query's entry current, if the stream serves it (Prometheus panels are not). */
export function topicOfKey(key: readonly unknown[]): string | undefined {
  const [area, kind, namespace] = key;
  const candidate: Topic | undefined =
    typeof area !== 'string'
      ? undefined
      : isNamespaced(area) && kind === 'list' && typeof namespace === 'string'
        ? { kind: area, namespace }
        : area === 'security' && kind === 'emergencies'
          ? { kind: 'emergencies', namespace: '' }
          : area === 'shell' && typeof kind === 'string' && isGlobal(kind)
            ? { kind, namespace: '' }
            : undefined;
  return candidate && sameKey(keyOfTopic(candidate), key) ? topicName(candidate) : undefined;
}
