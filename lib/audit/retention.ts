// Retention of the audit trail by age and size, never by a count that failing writes could
// exhaust: entries older than the retention period go, and per namespace a byte budget, where
// unreadable or unsigned objects go first, then failed attempts, then applied changes.
// One replica sweeps: the holder of its own Lease, beside the emergency reconciler's.
import { serverEnv } from '@/lib/env';
import { toApiError } from '@/lib/k8s/errors';
import { kubeRequest } from '@/lib/k8s/http';
import { LeaderLoop, type LeaderArming } from '@/lib/k8s/lease-election';
import { configMaps, objectPath } from '@/lib/k8s/resources';
import { leaseNamespace, replicaIdentity } from '@/lib/security/emergency-reconciler';
import { auditCache, readEntryObject, ENTRY_LABEL, ENTRY_NAME_PREFIX, type AuditConfigMap } from './audit';

export const RETENTION_LEASE = 'meshdeck-audit-retention';
const SWEEP_MS = 60_000;
// The Lease is renewed more often than it sweeps, so a leader is always known.
const TICK_MS = 5000;

export interface RetentionPolicy {
  maxAgeDays: number;
  namespaceBudgetBytes: number;
}

const positive = (value: string | undefined, fallback: number, name: string) => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number (got "${value}")`);
  return n;
};

/** MESHDECK_AUDIT_RETENTION_DAYS (default 90) and MESHDECK_AUDIT_NAMESPACE_BYTES (default 8 MiB). */
export function retentionPolicy(env: Record<string, string | undefined> = serverEnv()): RetentionPolicy {
  return {
    maxAgeDays: positive(env.MESHDECK_AUDIT_RETENTION_DAYS, 90, 'MESHDECK_AUDIT_RETENTION_DAYS'),
    namespaceBudgetBytes: positive(env.MESHDECK_AUDIT_NAMESPACE_BYTES, 8 * 1024 * 1024, 'MESHDECK_AUDIT_NAMESPACE_BYTES'),
  };
}

/** The policy in one sentence, for the Audit page. */
export const describePolicy = (p: RetentionPolicy) =>
  `Entries are kept ${p.maxAgeDays} days; past ${(p.namespaceBudgetBytes / 1024 / 1024).toFixed(1)} MiB of entries in a namespace, the oldest go first, unsigned or failed ones before applied changes.`;

/** One stored entry object, as retention sees it. */
export interface StoredEntry {
  namespace: string;
  name: string;
  uid?: string;
  time: number;
  bytes: number;
  /** 0: invalid or unsigned, 1: failed attempt, 2: applied change (kept longest). */
  rank: 0 | 1 | 2;
}

/** Which entries to delete at `now` (pure): too old, then over each namespace's budget. */
export function entriesToDelete(entries: StoredEntry[], policy: RetentionPolicy, now: number): StoredEntry[] {
  const cutoff = now - policy.maxAgeDays * 86_400_000;
  const doomed = entries.filter((e) => e.time < cutoff);
  const byNamespace = new Map<string, StoredEntry[]>();
  for (const e of entries) if (e.time >= cutoff) byNamespace.set(e.namespace, [...(byNamespace.get(e.namespace) ?? []), e]);
  for (const kept of byNamespace.values()) {
    let total = kept.reduce((sum, e) => sum + e.bytes, 0);
    for (const e of [...kept].sort((a, b) => a.rank - b.rank || a.time - b.time)) {
      if (total <= policy.namespaceBudgetBytes) break;
      doomed.push(e);
      total -= e.bytes;
    }
  }
  return doomed;
}

function stored(map: AuditConfigMap): StoredEntry {
  const view = readEntryObject(map);
  const time = Date.parse(view.trust === 'invalid' ? (map.metadata.creationTimestamp ?? '') : view.time);
  return {
    namespace: map.metadata.namespace,
    name: map.metadata.name,
    uid: map.metadata.uid,
    time: Number.isNaN(time) ? 0 : time,
    bytes: map.metadata.name.length + Object.entries(map.data ?? {}).reduce((sum, [k, v]) => sum + k.length + Buffer.byteLength(v), 0),
    rank: view.trust !== 'signed' ? 0 : view.result === 'failed' ? 1 : 2,
  };
}

/**
 * One sweep: deletes the entry objects the policy no longer keeps (only objects labelled as
 * entries, by uid precondition, so a re-created name is never hit). Returns how many went.
 */
export async function sweepAudit(policy = retentionPolicy(), now = Date.now()): Promise<number> {
  const cache = await auditCache();
  const entries = cache
    .list()
    .filter((m) => m.metadata.labels?.[ENTRY_LABEL] === 'entry' && m.metadata.name.startsWith(ENTRY_NAME_PREFIX))
    .map(stored);
  let deleted = 0;
  for (const e of entriesToDelete(entries, policy, now)) {
    try {
      await kubeRequest({
        method: 'DELETE',
        path: objectPath(configMaps, e.namespace, e.name),
        body: { apiVersion: 'v1', kind: 'DeleteOptions', ...(e.uid ? { preconditions: { uid: e.uid } } : {}) },
      });
      deleted++;
    } catch (error) {
      const status = toApiError(error).status;
      if (status !== 404 && status !== 409) throw error; // gone already, or replaced: nothing to do
    }
  }
  return deleted;
}

/** Whether retention runs, as the Audit page and /api/readyz say it. */
export interface RetentionStatus extends LeaderArming {
  policy: string;
  lastSweep?: { at: string; deleted: number };
}

/** This replica's sweeper: leads through its own Lease, and sweeps at most once a minute. */
class AuditRetention {
  private lastSweep: RetentionStatus['lastSweep'];
  readonly loop: LeaderLoop;

  constructor(observeOnly: boolean) {
    this.loop = new LeaderLoop({
      label: 'audit-retention',
      namespace: leaseNamespace(),
      name: RETENTION_LEASE,
      identity: replicaIdentity(),
      observeOnly,
      tickMs: TICK_MS,
      work: () => this.sweepWhenDue(),
    });
  }

  private async sweepWhenDue(): Promise<void> {
    if (this.lastSweep && Date.parse(this.lastSweep.at) + SWEEP_MS > Date.now()) return;
    const deleted = await sweepAudit();
    this.lastSweep = { at: new Date().toISOString(), deleted };
  }

  async status(): Promise<RetentionStatus> {
    return { ...(await this.loop.arming()), policy: describePolicy(retentionPolicy()), lastSweep: this.lastSweep };
  }
}

const key = Symbol.for('meshdeck.auditRetention');
type WithRetention = typeof globalThis & { [key]?: AuditRetention };

/**
 * Starts this process's retention once (instrumentation.ts; the audit routes as a fallback), in
 * the server only, releasing its Lease on SIGTERM. MESHDECK_AUDIT_RETENTION=0 leaves the
 * sweeping to other replicas (this one still watches the Lease).
 */
export function ensureAuditRetention(env: Record<string, string | undefined> = serverEnv()): void {
  if (env.NEXT_RUNTIME !== 'nodejs') return;
  const g = globalThis as WithRetention;
  if (g[key]) return;
  const retention = new AuditRetention(env.MESHDECK_AUDIT_RETENTION === '0');
  g[key] = retention;
  retention.loop.start();
  process.once('SIGTERM', () => void retention.loop.stop());
}

/** Whether retention is armed, as this replica sees it. */
export async function retentionStatus(): Promise<RetentionStatus> {
  const retention = (globalThis as WithRetention)[key];
  if (retention) return retention.status();
  return {
    policy: describePolicy(retentionPolicy()),
    armed: false,
    replica: replicaIdentity(),
    lease: `${leaseNamespace()}/${RETENTION_LEASE}`,
    reason: 'retention was not started in this process',
  };
}
