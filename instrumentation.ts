// Runs once when the server starts: background work that must not wait for a request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  // MESHDECK_EMERGENCY_RECONCILER=0 leaves the automatic reverts to other replicas.
  if (process.env.MESHDECK_EMERGENCY_RECONCILER === '0') return;
  const { startEmergencyReconciler } = await import('./lib/security/emergency-reconciler');
  startEmergencyReconciler();
}
