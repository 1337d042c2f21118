// Runs once when the server starts: background work that must not wait for a request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { boundShutdown } = await import('./lib/shutdown');
  boundShutdown();
  // The configuration is checked first: a wrong variable is named here and in /api/readyz
  // (not ready), and no background work starts on it.
  const { envProblems, serverEnv } = await import('./lib/env');
  const problems = envProblems();
  if (problems.length > 0) {
    console.error(`Meshdeck's configuration is invalid; fix these environment variables:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    return;
  }
  const { startLeaderWorks } = await import('./lib/rollout/controller');
  // One Lease, one leader for the automatic emergency reverts and the rollouts, each isolated
  // from the other. MESHDECK_EMERGENCY_RECONCILER=0 or MESHDECK_ROLLOUT_CONTROLLER=0 leaves
  // both to other replicas; this one still watches the Lease, so it can say whether anyone holds it.
  startLeaderWorks(serverEnv());
  // The audit trail's retention sweeps in one replica too (MESHDECK_AUDIT_RETENTION=0: watch only).
  const { ensureAuditRetention } = await import('./lib/audit/retention');
  ensureAuditRetention();
}
