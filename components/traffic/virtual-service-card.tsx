'use client';

import { useState } from 'react';
import { useDenial } from '@/components/auth/user-context';
import type { RouteView, VirtualServiceView } from '@/lib/mesh/traffic-split';
import { MatchEditor } from './match-editor';
import { WeightEditor } from './weight-editor';

export function VirtualServiceCard({ vs }: { vs: VirtualServiceView }) {
  return (
    <article className="panel vs-card" aria-labelledby={`vs-${vs.namespace}-${vs.name}`}>
      <header className="vs-header">
        <h2 id={`vs-${vs.namespace}-${vs.name}`}>
          {vs.name} <span className="muted">in {vs.namespace}</span>
        </h2>
        <div className="badges">
          {vs.strategies.map((s) => (
            <span key={s} className={`badge badge-${s.replace(/[^a-z]/g, '')}`}>
              {s}
            </span>
          ))}
          {vs.managedBy && <span className="badge badge-managed">managed</span>}
        </div>
      </header>
      <p className="muted">
        Hosts {vs.hosts.join(', ')} · via {vs.gateways.join(', ')} · resourceVersion {vs.resourceVersion}
      </p>
      {vs.managedBy && (
        <p className="notice-inline warn">
          {vs.managedBy}: editing is blocked here so Meshdeck does not fight its controller. Change the rollout in its own resource.
        </p>
      )}
      <ol className="routes">
        {vs.routes.map((route) => (
          <Route key={route.index} vs={vs} route={route} />
        ))}
      </ol>
    </article>
  );
}

function Route({ vs, route }: { vs: VirtualServiceView; route: RouteView }) {
  const [editingMatch, setEditingMatch] = useState(false);
  const blocked = vs.managedBy ? `${vs.managedBy}; editing is blocked.` : undefined;
  const denial = useDenial('traffic:write');
  return (
    <li>
      <section className="route" aria-label={`Route ${route.name} of ${vs.name}`}>
        <div className="route-head">
          <h3>
            {route.index + 1}. {route.name}
          </h3>
          <span className={`badge badge-${route.strategy.replace(/[^a-z]/g, '')}`}>{route.strategy}</span>
          {route.timeout && <span className="badge">timeout {route.timeout}</span>}
          {route.retries && <span className="badge">{route.retries}</span>}
          {route.fault && <span className="badge badge-warn">fault: {route.fault}</span>}
        </div>
        <ul className="rules">
          {route.rules.map((rule, i) => (
            <li key={i}>
              <span className="rule-when">{i === 0 ? 'When' : 'or when'}</span> {rule} →{' '}
              {route.destinations.map((d) => `${d.subset ?? d.service} ${d.weight}%`).join(', ')}
            </li>
          ))}
        </ul>
        {route.mirrors.map((m) => (
          <p key={`${m.host}/${m.subset}`} className="muted">
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
          <p className="muted">No destinations (a redirect or delegate route).</p>
        )}
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
    </li>
  );
}
