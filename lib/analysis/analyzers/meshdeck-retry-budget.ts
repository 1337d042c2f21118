// MDK0009: retries that cannot all happen within the route's timeout.
//
// Istio's semantics (pilot networking/core/route/retry ConvertPolicy, HTTPRetry reference):
// - `timeout` is the whole request's deadline, retries included; without one (Istio's default
//   for VirtualService routes) or with 0s there is no deadline, so nothing can exceed it.
// - `retries.attempts` counts retries, so a request makes up to attempts + 1 tries; each try
//   may take `perTryTimeout`. The worst case is (attempts + 1) × perTryTimeout (plus Envoy's
//   25 ms+ back-off), and when that is above the timeout the last tries are cut off (504 UT).
// - No `retries` at all means the mesh's `defaultHttpRetryPolicy`, else Istio's default of
//   2 retries with no per-try timeout; `attempts: 0` turns retries off.
// - Without `perTryTimeout` each try is bounded only by the route timeout itself (Envoy's
//   per_try_timeout defaults to the route's), so a slow first try already ends the request and
//   retries only follow fast failures: that is not a budget that overruns, so it is not reported.
import { K } from '../kinds';
import { meshConfig } from '../mesh-config';
import type { Analyzer } from '../types';
import { routeLabel } from './meshdeck-workloads';
import { durationNanos, formatDuration } from '@/lib/mesh/duration';

interface Retries {
  attempts?: number;
  perTryTimeout?: string;
}
interface HttpRoute {
  name?: string;
  timeout?: string;
  retries?: Retries;
  delegate?: unknown;
}

/** Istio's default when a route says nothing about retries and the mesh config has no default. */
const ISTIO_DEFAULT_RETRIES: Retries = { attempts: 2 };

export const meshdeckRetryBudget: Analyzer = {
  id: 'meshdeck.retrybudget',
  description: 'A route’s tries (attempts + 1, each up to perTryTimeout) fit within its timeout',
  kinds: [K.VirtualService],
  codes: ['MDK0009'],
  check(vs, context) {
    const routes = ((vs.spec as { http?: HttpRoute[] } | undefined)?.http ?? []).map((route, r) => ({ route, r }));
    const timed = routes.filter(({ route }) => !route.delegate && (durationNanos(route.timeout) ?? 0n) > 0n);
    if (timed.length === 0) return;
    const meshDefault = meshConfig(context).raw.defaultHttpRetryPolicy as Retries | undefined;
    for (const { route, r } of timed) {
      const [retries, from] = route.retries
        ? [route.retries, '']
        : meshDefault
          ? [meshDefault, "the mesh's defaultHttpRetryPolicy"]
          : [ISTIO_DEFAULT_RETRIES, ''];
      const attempts = Number(retries.attempts ?? 0);
      const perTry = durationNanos(retries.perTryTimeout);
      if (!Number.isInteger(attempts) || attempts <= 0 || perTry === undefined || perTry <= 0n) continue;
      const timeout = durationNanos(route.timeout)!;
      const budget = BigInt(attempts + 1) * perTry;
      if (budget <= timeout) continue;
      const fit = Number(timeout / perTry);
      context.report(
        'MDK0009',
        `Route ${routeLabel(route, r)}: ${attempts + 1} tries (${attempts} ${attempts === 1 ? 'retry' : 'retries'}${from ? ` from ${from}` : ''}) × perTryTimeout ${retries.perTryTimeout} = ${formatDuration(budget)}, more than its timeout ${route.timeout}: ${fit === 0 ? 'not even one try fits' : `only ${fit} ${fit === 1 ? 'try fits' : 'tries fit'}`}, later ones are cut off (504)`,
        { path: route.retries ? `spec.http[${r}].retries` : `spec.http[${r}].timeout` },
      );
    }
  },
};
