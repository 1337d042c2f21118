import { requireUser } from '@/lib/auth/session';
import { errorResponse, json } from '@/lib/http/responses';
import { probeCluster } from '@/lib/k8s/cluster';

export const dynamic = 'force-dynamic';

/** Which cluster and context the server talks to, and whether it answers. */
export async function GET() {
  try {
    await requireUser('read');
    return json(await probeCluster());
  } catch (error) {
    return errorResponse(error);
  }
}
