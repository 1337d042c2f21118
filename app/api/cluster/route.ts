import { route } from '@/lib/http/route';
import { readCluster } from '@/lib/live/reads';

export const dynamic = 'force-dynamic';

/** Which cluster and context the server talks to, and whether it answers. */
export const GET = route({ auth: 'read' }, () => readCluster());
