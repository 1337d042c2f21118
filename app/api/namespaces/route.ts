import { route } from '@/lib/http/route';
import { readNamespaces } from '@/lib/live/reads';

export const dynamic = 'force-dynamic';

/** The cluster's namespaces, from the watch-backed cache; only those the cluster lets the person see. */
export const GET = route({ auth: 'read' }, ({ user }) => readNamespaces(user!));
