import { json } from '@/lib/http/responses';
import { probeCluster } from '@/lib/k8s/cluster';

export const dynamic = 'force-dynamic';

/** Readiness: the Kubernetes API answers. 503 with the reason otherwise. */
export async function GET() {
  const cluster = await probeCluster();
  if (cluster.state === 'connected') return json({ status: 'ready', context: cluster.context, version: cluster.version });
  return json({ status: 'not-ready', reason: cluster.reason }, 503);
}
