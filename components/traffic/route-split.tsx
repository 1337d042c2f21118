'use client';

import { createContext, memo, useContext } from 'react';
import { Slider } from '@/components/ui/slider';
import { setWeight } from '@/lib/mesh/weights';
import { DestinationNumbers, useRouteLive } from './live-numbers';
import { useRouteDraft } from './route-drafts';
import type { RouteRow } from './route-rows';
import { RolloutProblem, RolloutStateLink, rolloutActive, routeRollout } from './rollout-state';
import styles from './traffic.module.css';

/**
 * Why the person may not change weights (role, read-only mode, the cluster's RBAC), read once
 * for the page: a hook per row would subscribe every row to the URL and to a query.
 */
export const WriteDenialContext = createContext<string | undefined>(undefined);

/**
 * A table row's destinations: each with a compact weight slider (the same draft as the editor in
 * the drawer), its weight, warning, and live numbers. A moved split offers "Review" (the drawer,
 * with its diff and apply) and "Discard". The route's rollout, when one moves it, shows under them.
 */
export const RouteSplit = memo(function RouteSplit({ row, onReview }: { row: RouteRow; onReview: (row: RouteRow) => void }) {
  const { vs, route } = row;
  const [draft, setDraft] = useRouteDraft(row.id);
  const denial = useContext(WriteDenialContext);
  const destinations = draft?.destinations ?? route.destinations;
  const live = useRouteLive(vs.namespace, destinations, vs.canaryVersions);
  if (destinations.length === 0) return <span className={styles.muted}>No destinations (a redirect or delegate route)</span>;

  const readOnly = Boolean(vs.managedBy) || Boolean(denial);
  const weights = destinations.map((d) => d.weight);
  const unlocked = weights.map(() => false);
  const changed = destinations.some((d, i) => d.weight !== route.destinations[i]?.weight) || destinations.length !== route.destinations.length;
  const where = `in ${vs.name} route ${route.name}`;
  const stable = live ? destinations[live.stable] : undefined;
  const rollout = routeRollout(vs, route.index);

  return (
    <div className={styles.split}>
      {destinations.map((d, i) => {
        const name = `${d.service} ${d.subset ?? ''}`.trim();
        const warning = route.destinations.find((s) => s.host === d.host && s.subset === d.subset)?.warning;
        return (
          <div key={`${d.host}/${d.subset ?? ''}`} className={styles.destination}>
            <span className={styles.destinationName} title={d.host}>
              {d.subset ?? d.service}
              {warning && (
                <span role="img" aria-label={warning} title={warning} className={styles.warning}>
                  {' '}
                  ⚠
                </span>
              )}
            </span>
            {destinations.length > 1 ? (
              <Slider
                compact
                label={`Weight of ${name} ${where}`}
                value={d.weight}
                disabled={readOnly}
                onChange={(value) => {
                  const next = setWeight({ weights, locked: unlocked }, i, value);
                  setDraft({ baseVersion: draft?.baseVersion ?? vs.resourceVersion, destinations: destinations.map((x, k) => ({ ...x, weight: next[k]! })) });
                }}
              />
            ) : (
              <span className={styles.muted}>all traffic</span>
            )}
            <span className={styles.weight}>{d.weight}%</span>
            <DestinationNumbers
              label={`Live numbers of ${name} ${where}`}
              live={live?.live[i]}
              comparison={live?.comparisons[i]}
              stableName={stable?.subset ?? stable?.service}
              short
            />
          </div>
        );
      })}
      {rollout && <RolloutStateLink rollout={rollout} />}
      {vs.rolloutProblem && route.weighted && <RolloutProblem problem={vs.rolloutProblem} />}
      {changed && (
        <div className={styles.rowActions}>
          <button type="button" className="button button-small" onClick={() => onReview(row)}>
            Review <span className="visually-hidden">change {where}</span>
          </button>
          <button type="button" className="button button-quiet button-small" onClick={() => setDraft(null)}>
            Discard <span className="visually-hidden">change {where}</span>
          </button>
          {rolloutActive(rollout) && <span className="hint">Applying it pauses the rollout.</span>}
        </div>
      )}
    </div>
  );
});
