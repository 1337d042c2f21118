import { visibleNamespaces } from '@/lib/auth/cluster-access';
import { route } from '@/lib/http/route';
import { listNamespaces } from '@/lib/k8s/namespaces';

export const dynamic = 'force-dynamic';

/** The cluster's namespaces, from the watch-backed cache; only those the cluster lets the person see. */
export const GET = route({ auth: 'read' }, async ({ user }) => {
  const items = await listNamespaces();
  const visible = new Set(
    await visibleNamespaces(
      user!,
      items.map((ns) => ns.name),
    ),
  );
  return { items: items.filter((ns) => visible.has(ns.name)) };
});
