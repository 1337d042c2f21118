import { envProblems } from '@/lib/env';
import { route } from '@/lib/http/route';
import { json } from '@/lib/http/responses';
import { probeCluster } from '@/lib/k8s/cluster';
import { retentionStatus } from '@/lib/audit/retention';
import { revertArming } from '@/lib/security/emergency-reconciler';

export const dynamic = 'force-dynamic';

/**
 * Readiness with named checks (no sign-in: the kubelet asks). A wrong environment variable
 * (named in the answer) and the Kubernetes API gate readiness (503): a replica whose background work is not armed still serves pages, which say
 * so loudly, and so does this answer (`status: degraded` and the failing check with its reason).
 */
export const GET = route({ auth: 'public' }, async () => {
  const problems = envProblems();
  if (problems.length > 0) {
    const reason = `invalid configuration: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`;
    return json({ status: 'not-ready', reason, checks: [{ name: 'configuration', ok: false, message: reason }] }, 503);
  }
  const [cluster, revert, retention] = await Promise.all([probeCluster(), revertArming(), retentionStatus()]);
  const checks = [
    cluster.state === 'connected'
      ? { name: 'kubernetes-api', ok: true, message: `${cluster.context} answers (${cluster.version})` }
      : { name: 'kubernetes-api', ok: false, message: cluster.reason },
    revert.armed
      ? {
          name: 'emergency-revert',
          ok: true,
          message: `armed by ${revert.holder}${revert.holder === revert.replica ? ' (this replica)' : ''}; Lease ${revert.lease}`,
        }
      : { name: 'emergency-revert', ok: false, message: `automatic revert is not armed: ${revert.reason}` },
    retention.armed
      ? {
          name: 'audit-retention',
          ok: true,
          message: `armed by ${retention.holder}${retention.holder === retention.replica ? ' (this replica)' : ''}; ${retention.policy}`,
        }
      : { name: 'audit-retention', ok: false, message: `audit retention is not armed: ${retention.reason}` },
  ];
  if (cluster.state !== 'connected') return json({ status: 'not-ready', reason: cluster.reason, checks }, 503);
  const failing = checks.filter((c) => !c.ok);
  return {
    status: failing.length ? 'degraded' : 'ready',
    context: cluster.context,
    version: cluster.version,
    ...(failing.length ? { reason: failing.map((c) => `${c.name}: ${c.message}`).join('; ') } : {}),
    checks,
  };
});
