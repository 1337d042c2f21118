import { namespaceQuery } from '@/lib/api/param-schemas';
import { visibleAnswer, visibleNamespaces } from '@/lib/auth/cluster-access';
import { route } from '@/lib/http/route';
import { listNamespaces } from '@/lib/k8s/namespaces';
import { overview } from '@/lib/overview/health';

export const dynamic = 'force-dynamic';

/**
 * The Overview's health table: per namespace the person may see (or the one asked for), RED
 * numbers, firing alerts, active emergencies, recent changes and object counts. A source that
 * fails (Prometheus, the audit trail) is named in `problems`; the rest still answers.
 */
export const GET = route({ auth: 'read', query: namespaceQuery }, ({ user, query }) =>
  visibleAnswer(user!, query.namespace, async () => {
    const items = await listNamespaces();
    const visible = new Set(
      await visibleNamespaces(
        user!,
        items.map((ns) => ns.name),
      ),
    );
    return overview(
      items.filter((ns) => visible.has(ns.name)),
      query.namespace,
    );
  }),
);
