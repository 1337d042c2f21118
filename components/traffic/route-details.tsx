'use client';

import { useState } from 'react';
import { useDenial } from '@/components/auth/user-context';
import type { RouteView, VirtualServiceView } from '@/lib/mesh/traffic-split';
import { MatchEditor } from './match-editor';
import { RouteRollout } from './start-rollout';
import styles from './traffic.module.css';
import { WeightEditor } from './weight-editor';

/**
 * A route in the drawer: its VirtualService's facts, the route's rules, mirrors, timeouts and
 * warnings, the weight editor (sliders, live numbers, presets, add/remove destination, blue-green
 * switch), its rollout (state, Start rollout) and the match editor.
 */
export function RouteDetails({ vs, route }: { vs: VirtualServiceView; route: RouteView }) {
  const [editingMatch, setEditingMatch] = useState(false);
  const blocked = vs.managedBy ? `${vs.managedBy}; editing is blocked.` : undefined;
  const denial = useDenial('traffic:write');
  return (
    <section className={styles.details} aria-label={`Route ${route.name} of ${vs.name}`}>
      <dl className={styles.facts}>
        <dt>VirtualService</dt>
        <dd>
          {vs.namespace}/{vs.name} <span className={styles.muted}>resourceVersion {vs.resourceVersion}</span>
        </dd>
        <dt>Hosts</dt>
        <dd>{vs.hosts.join(', ')}</dd>
        <dt>Gateways</dt>
        <dd>{vs.gateways.join(', ')}</dd>
        <dt>Strategy</dt>
        <dd>
          <span className={`badge badge-${route.strategy.replace(/[^a-z]/g, '')}`}>{route.strategy}</span>
          {route.timeout && <span className="badge">timeout {route.timeout}</span>}
          {route.retries && <span className="badge">{route.retries}</span>}
          {route.fault && <span className="badge badge-warn">fault: {route.fault}</span>}
        </dd>
      </dl>
      {vs.managedBy && (
        <p className="notice-inline warn">
          {vs.managedBy}: editing is blocked here so Meshdeck does not fight its controller. Change the rollout in its own resource.
        </p>
      )}
      <ul className="rules">
        {route.rules.map((rule, i) => (
          <li key={i}>
            <span className="rule-when">{i === 0 ? 'When' : 'or when'}</span> {rule} →{' '}
            {route.destinations.map((d) => `${d.subset ?? d.service} ${d.weight}%`).join(', ')}
          </li>
        ))}
      </ul>
      {route.mirrors.map((m) => (
        <p key={`${m.host}/${m.subset}`} className={styles.muted}>
          Mirrors {m.percent}% to {m.host}
          {m.subset ? ` (${m.subset})` : ''}
        </p>
      ))}
      {route.destinations
        .filter((d) => d.warning)
        .map((d) => (
          <p key={`${d.host}/${d.subset}`} role="note" className="notice-inline warn">
            {d.warning}
          </p>
        ))}
      {route.destinations.length > 0 ? (
        <WeightEditor vs={vs} route={route} blocked={blocked} />
      ) : (
        <p className={styles.muted}>No destinations (a redirect or delegate route).</p>
      )}
      <RouteRollout vs={vs} route={route} />
      {!blocked &&
        !denial &&
        (editingMatch ? (
          <MatchEditor vs={vs} route={route} onClose={() => setEditingMatch(false)} />
        ) : (
          <button type="button" className="button button-quiet button-small" onClick={() => setEditingMatch(true)}>
            Edit match rules of {route.name}
          </button>
        ))}
    </section>
  );
}
