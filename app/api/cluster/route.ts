import { route } from '@/lib/http/route';
import { probeCluster } from '@/lib/k8s/cluster';

export const dynamic = 'force-dynamic';

/** Which cluster and context the server talks to, and whether it answers. */
export const GET = route({ auth: 'read' }, () => probeCluster());
