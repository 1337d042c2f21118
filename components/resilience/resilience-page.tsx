'use client';

import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { stringify } from 'yaml';
import { QueryState } from '@/components/ui/query-state';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import { resilienceQuery, type ResilienceView } from '@/lib/queries/resilience';
import { BreakerLivePanel } from './breaker-live';
import { PolicyEditor } from './policy-editor';
import { RouteEditor } from './route-editor';

export function ResiliencePage() {
  const namespace = useSearchParams().get(NAMESPACE_PARAM) ?? '';
  const view = useQuery(resilienceQuery(namespace));
  return (
    <>
      <h1>Resilience</h1>
      <BreakerLivePanel namespace={namespace} />
      <QueryState query={view} label="traffic policies">
        {(data) => (
          <>
            {data.rules.map((rule) => (
              <RuleCard key={`${rule.namespace}/${rule.name}`} rule={rule} />
            ))}
            <RoutesPanel routes={data.routes} />
          </>
        )}
      </QueryState>
    </>
  );
}

function RuleCard({ rule }: { rule: ResilienceView['rules'][number] }) {
  return (
    <article className="panel" aria-labelledby={`dr-${rule.namespace}-${rule.name}`}>
      <h2 id={`dr-${rule.namespace}-${rule.name}`}>
        {rule.host}{' '}
        <span className="muted">
          DestinationRule {rule.namespace}/{rule.name}
        </span>
      </h2>
      {rule.targets.map((t) => (
        <PolicyEditor key={t.label} rule={rule} target={t} />
      ))}
      {rule.portLevelSettings.length > 0 && (
        <details>
          <summary>Port-level settings ({rule.portLevelSettings.length})</summary>
          <pre className="diff">{stringify(rule.portLevelSettings)}</pre>
        </details>
      )}
    </article>
  );
}

function RoutesPanel({ routes }: { routes: ResilienceView['routes'] }) {
  return (
    <section className="panel" aria-labelledby="routes-title">
      <h2 id="routes-title">Timeouts and retries</h2>
      {routes.map((r) => (
        <RouteEditor key={`${r.namespace}/${r.virtualService}/${r.index}`} route={r} />
      ))}
    </section>
  );
}
