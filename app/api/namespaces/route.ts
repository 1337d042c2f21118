import { route } from '@/lib/http/route';
import { listNamespaces } from '@/lib/k8s/namespaces';

export const dynamic = 'force-dynamic';

/** The cluster's namespaces, from the watch-backed cache. */
export const GET = route({ auth: 'read' }, async () => ({ items: await listNamespaces() }));
