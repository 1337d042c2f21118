// Emergency PERMISSIVE: mTLS relaxed on a namespace for a bounded time, with the state kept
// on the PeerAuthentication itself so any replica (or a restarted one) can revert it.
import type { JsonPatchOp } from './patches';
import type { MtlsMode, PeerAuthentication } from './security-types';

export const ANNOTATIONS = {
  previousMode: 'meshdeck.io/emergency-previous-mode',
  reason: 'meshdeck.io/emergency-reason',
  by: 'meshdeck.io/emergency-by',
  startedAt: 'meshdeck.io/emergency-started-at',
  revertAt: 'meshdeck.io/emergency-revert-at',
  // The spec generation the emergency produced: a later spec change by anyone moves it.
  generation: 'meshdeck.io/emergency-generation',
  skipped: 'meshdeck.io/emergency-revert-skipped',
} as const;

export const MAX_EMERGENCY_MINUTES = 24 * 60;
export const DEFAULT_EMERGENCY_MINUTES = 30;

export interface EmergencyState {
  namespace: string;
  name: string;
  previousMode: MtlsMode;
  reason: string;
  by: string;
  startedAt: string;
  revertAt: string;
  /** Someone changed the policy's spec after the emergency began. */
  changedSince: boolean;
  skipped?: string;
}

const pointer = (key: string) => `/metadata/annotations/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;

export function emergencyOf(pa: PeerAuthentication & { metadata: { generation?: number } }): EmergencyState | undefined {
  const a = pa.metadata.annotations ?? {};
  if (!a[ANNOTATIONS.revertAt]) return undefined;
  return {
    namespace: pa.metadata.namespace,
    name: pa.metadata.name,
    previousMode: (a[ANNOTATIONS.previousMode] ?? 'UNSET') as MtlsMode,
    reason: a[ANNOTATIONS.reason] ?? '',
    by: a[ANNOTATIONS.by] ?? '',
    startedAt: a[ANNOTATIONS.startedAt] ?? '',
    revertAt: a[ANNOTATIONS.revertAt]!,
    changedSince: String(pa.metadata.generation ?? '') !== a[ANNOTATIONS.generation],
    skipped: a[ANNOTATIONS.skipped],
  };
}

/** Relaxes the policy to PERMISSIVE and records why, by whom and until when. */
export function startPatch(
  pa: PeerAuthentication & { metadata: { generation?: number } },
  input: { reason: string; by: string; now: Date; minutes: number },
): JsonPatchOp[] {
  if (emergencyOf(pa)) throw new Error(`an emergency is already active on ${pa.metadata.namespace}/${pa.metadata.name}`);
  const current = pa.spec.mtls?.mode ?? 'UNSET';
  if (current === 'PERMISSIVE' || current === 'DISABLE')
    throw new Error(`${pa.metadata.namespace}/${pa.metadata.name} is already ${current}: there is no stricter mode to relax`);
  const revertAt = new Date(input.now.getTime() + input.minutes * 60_000).toISOString();
  const annotations: Record<string, string> = {
    [ANNOTATIONS.previousMode]: current,
    [ANNOTATIONS.reason]: input.reason,
    [ANNOTATIONS.by]: input.by,
    [ANNOTATIONS.startedAt]: input.now.toISOString(),
    [ANNOTATIONS.revertAt]: revertAt,
    // The mode change bumps the generation by one.
    [ANNOTATIONS.generation]: String((pa.metadata.generation ?? 1) + 1),
  };
  return [
    { op: 'replace', path: '/metadata/resourceVersion', value: pa.metadata.resourceVersion },
    ...(pa.spec.mtls
      ? [{ op: 'replace' as const, path: '/spec/mtls/mode', value: 'PERMISSIVE' }]
      : [{ op: 'add' as const, path: '/spec/mtls', value: { mode: 'PERMISSIVE' } }]),
    ...(pa.metadata.annotations
      ? Object.entries(annotations).map(([k, v]) => ({ op: 'add' as const, path: pointer(k), value: v }))
      : [{ op: 'add' as const, path: '/metadata/annotations', value: annotations }]),
  ];
}

/** Puts the previous mode back and clears the emergency, only if nobody changed the spec since. */
export function restorePatch(pa: PeerAuthentication & { metadata: { generation?: number } }): JsonPatchOp[] {
  const state = emergencyOf(pa);
  if (!state) throw new Error(`no emergency is active on ${pa.metadata.namespace}/${pa.metadata.name}`);
  return [
    { op: 'replace', path: '/metadata/resourceVersion', value: pa.metadata.resourceVersion },
    { op: 'test', path: '/spec/mtls/mode', value: 'PERMISSIVE' },
    state.previousMode === 'UNSET' ? { op: 'remove', path: '/spec/mtls/mode' } : { op: 'replace', path: '/spec/mtls/mode', value: state.previousMode },
    ...Object.values(ANNOTATIONS)
      .filter((k) => pa.metadata.annotations?.[k] !== undefined)
      .map((k) => ({ op: 'remove' as const, path: pointer(k) })),
  ];
}

/**
 * The deadline an extension by `minutes` gives: that much after the current deadline (or after
 * now, if the deadline has passed and nothing reverted yet), never more than 24 hours from now;
 * `capped` says the 24 hours cut it short.
 */
export function extendedDeadline(revertAt: string, minutes: number, now: Date): { revertAt: Date; capped: boolean } {
  const from = Math.max(Date.parse(revertAt), now.getTime());
  const wanted = from + minutes * 60_000;
  const limit = now.getTime() + MAX_EMERGENCY_MINUTES * 60_000;
  return wanted > limit ? { revertAt: new Date(limit), capped: true } : { revertAt: new Date(wanted), capped: false };
}

/** Moves the revert deadline (see extendedDeadline). */
export function extendPatch(pa: PeerAuthentication, revertAt: Date): JsonPatchOp[] {
  return [
    { op: 'replace', path: '/metadata/resourceVersion', value: pa.metadata.resourceVersion },
    { op: 'replace', path: pointer(ANNOTATIONS.revertAt), value: revertAt.toISOString() },
  ];
}

/** Flags an emergency whose automatic revert was skipped because the policy changed meanwhile. */
export function skipPatch(pa: PeerAuthentication, why: string): JsonPatchOp[] {
  return [
    { op: 'replace', path: '/metadata/resourceVersion', value: pa.metadata.resourceVersion },
    { op: 'add', path: pointer(ANNOTATIONS.skipped), value: why },
  ];
}
