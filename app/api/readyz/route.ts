import { envProblems } from '@/lib/env';
import { route } from '@/lib/http/route';
import { json } from '@/lib/http/responses';
import { probeCluster } from '@/lib/k8s/cluster';
import { retentionStatus } from '@/lib/audit/retention';
import { revertArming } from '@/lib/security/emergency-reconciler';
import { rolloutArming } from '@/lib/rollout/controller';
import type { LeaderArming } from '@/lib/k8s/lease-election';
import { startedAnalysis } from '@/lib/k8s/analysis';
import { toApiError } from '@/lib/k8s/errors';

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
  const [cluster, revert, rollouts, retention, analysis] = await Promise.all([
    probeCluster(),
    revertArming(),
    rolloutArming(),
    retentionStatus(),
    analysisCheck(),
  ]);
  const checks = [
    cluster.state === 'connected'
      ? { name: 'kubernetes-api', ok: true, message: `${cluster.context} answers (${cluster.version})` }
      : { name: 'kubernetes-api', ok: false, message: cluster.reason },
    leaderCheck('emergency-revert', revert, 'automatic revert'),
    leaderCheck('rollout-controller', rollouts, 'the rollout controller'),
    retention.armed
      ? {
          name: 'audit-retention',
          ok: true,
          message: `armed by ${retention.holder}${retention.holder === retention.replica ? ' (this replica)' : ''}; ${retention.policy}`,
        }
      : { name: 'audit-retention', ok: false, message: `audit retention is not armed: ${retention.reason}` },
    analysis,
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

/** A work of the Lease loop: armed by whom, or why not. */
function leaderCheck(name: string, arming: LeaderArming, what: string) {
  return arming.armed
    ? { name, ok: true, message: `armed by ${arming.holder}${arming.holder === arming.replica ? ' (this replica)' : ''}; Lease ${arming.lease}` }
    : { name, ok: false, message: `${what} is not armed: ${arming.reason}` };
}

const ANALYSIS_WAIT_MS = 5000;

/** The configuration analysis: whether its watch caches are synced, what it covers, and the kinds it cannot read. */
async function analysisCheck() {
  try {
    // A probe neither starts the analysis (its memory is spent when a page or a write first needs it) nor waits long for it.
    const running = startedAnalysis();
    if (!running) return { name: 'config-analysis', ok: true, message: 'not started: it starts with the first read (Validation page, row badges, write gate)' };
    const started = await Promise.race([running, new Promise<undefined>((resolve) => setTimeout(resolve, ANALYSIS_WAIT_MS))]);
    if (!started) return { name: 'config-analysis', ok: false, message: `starting: its watch caches have not listed within ${ANALYSIS_WAIT_MS / 1000} s` };
    const status = started.status();
    const notAnalyzed = status.notLoaded.length ? `; not analyzed: ${status.notLoaded.map((k) => `${k.kind} (${k.reason})`).join(', ')}` : '';
    return status.synced
      ? { name: 'config-analysis', ok: true, message: `synced: ${status.objects} objects, ${status.findings} findings${notAnalyzed}` }
      : { name: 'config-analysis', ok: false, message: `not synced: ${status.lastError ?? 'a watch cache has not listed yet'}${notAnalyzed}` };
  } catch (error) {
    return { name: 'config-analysis', ok: false, message: `the analysis cannot run: ${toApiError(error).message}` };
  }
}
