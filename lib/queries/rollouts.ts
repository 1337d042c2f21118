// The rollouts API in the browser. The list is pushed by the live stream (topic `rollouts`,
// fed by the VirtualService watch cache), so every page's rollback banner and the Rollouts page
// change the moment the controller writes a step. One rollout's whole state (up to 96 KiB of
// history) is read again every few seconds while it moves instead: the stream's topics are per
// namespace, and pushing every rollout's history to every page for the banner would cost more.
// A running step's charts are read at the Prometheus refresh the person picked. The writes are in
// ./rollouts-writes: the banner on every page reads the list and must not carry the edit flow.
import { queryOptions, useQuery } from '@tanstack/react-query';
import type { RolloutItem, RolloutList } from '@/lib/k8s/rollouts';
import type { LeaderArming } from '@/lib/k8s/lease-election';
import type { RolloutPreset } from '@/lib/mesh/rollout';
import { isActive, type RolloutState } from '@/lib/mesh/rollout-model';
import type { RolloutSeries } from '@/lib/metrics/rollout-series';
import { fetchJson } from './fetch-json';
import { queryKeys, type NamedResource } from './keys';
import { pushedQuery } from './live-status';
import { metricsPolling, useMetricsRefresh } from './metrics-refresh';

export type { RolloutItem, RolloutList, RolloutSeries };

/** How often an active rollout's page reads its state again: a check or a step shows within this. */
export const ACTIVE_ROLLOUT_POLL_MS = 5000;

const ns = (namespace: string) => (namespace ? `?namespace=${encodeURIComponent(namespace)}` : '');
/** A rollout's API path (its reads, and ./rollouts-writes' start and controls). */
export const rolloutPath = (vs: NamedResource) => `/api/rollouts/${encodeURIComponent(vs.namespace)}/${encodeURIComponent(vs.name)}`;

/** Every rollout of a namespace ("" = all visible), with problems and the controller's arming; pushed live. */
export const rolloutsQuery = (namespace: string) =>
  queryOptions({
    queryKey: queryKeys.rollouts.list(namespace),
    queryFn: () => fetchJson<RolloutList>(`/api/rollouts${ns(namespace)}`),
    ...pushedQuery,
  });

export interface RolloutAnswer {
  item: RolloutItem;
  controller: LeaderArming;
}

/** Whether a rollout can still change by itself or by someone's hand soon: active, or a rollback not yet acknowledged. */
const moving = (state: RolloutState) => isActive(state) || (state.phase === 'RolledBack' && !state.acknowledged);

/** One rollout's whole state (timeline, checks) and its route's destinations; polled while it moves. */
export const rolloutQuery = (vs: NamedResource) =>
  queryOptions({
    queryKey: queryKeys.rollouts.detail(vs),
    queryFn: () => fetchJson<RolloutAnswer>(rolloutPath(vs)),
    refetchInterval: (query) => {
      const state = query.state.data?.item.state;
      return state && moving(state) ? ACTIVE_ROLLOUT_POLL_MS : false;
    },
  });

/**
 * A step's gate charts. `running`: the step is the current one of an active rollout, so its
 * charts grow (polled at the person's refresh); a finished step's data no longer changes.
 */
export const rolloutSeriesQuery = (vs: NamedResource, step: number, running: boolean, refreshSeconds: number) =>
  queryOptions({
    queryKey: queryKeys.rollouts.series(vs, step),
    queryFn: () => fetchJson<RolloutSeries>(`${rolloutPath(vs)}/series?step=${step}`),
    ...(running ? metricsPolling(refreshSeconds) : { staleTime: Infinity }),
    retry: false,
  });

/** The plan templates for a namespace's routes: the built-in ones and the mesh configuration's. */
export const rolloutPresetsQuery = (namespace: string) =>
  queryOptions({
    queryKey: queryKeys.rollouts.presets(namespace),
    queryFn: () => fetchJson<{ items: RolloutPreset[] }>(`/api/rollouts/presets${ns(namespace)}`),
    staleTime: 60_000,
  });

export const useRollouts = (namespace: string) => useQuery(rolloutsQuery(namespace));
export const useRollout = (vs: NamedResource) => useQuery(rolloutQuery(vs));
export const useRolloutPresets = (namespace: string) => useQuery(rolloutPresetsQuery(namespace));
export function useRolloutSeries(vs: NamedResource, step: number, running: boolean) {
  return useQuery(rolloutSeriesQuery(vs, step, running, useMetricsRefresh()));
}
