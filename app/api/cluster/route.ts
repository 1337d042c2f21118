import { json } from '@/lib/http/responses';
import { probeCluster } from '@/lib/k8s/cluster';

export const dynamic = 'force-dynamic';

/** Which cluster and context the server talks to, and whether it answers. */
export async function GET() {
  return json(await probeCluster());
}
