/**
 * How long a stopping server may take. `next start` closes its server on SIGTERM and waits for
 * every open connection; a browser that keeps sending on a kept-alive connection would hold it
 * open indefinitely, so past this deadline the process exits as Next itself would (143).
 * Well inside Kubernetes' default 30 s grace period.
 */
export const SHUTDOWN_DEADLINE_MS = 8_000;

export function boundShutdown(deadlineMs = SHUTDOWN_DEADLINE_MS) {
  process.once('SIGTERM', () => {
    setTimeout(() => {
      console.warn(`Meshdeck: connections still open ${deadlineMs / 1000} s after SIGTERM; exiting.`);
      process.exit(143);
    }, deadlineMs).unref();
  });
}
