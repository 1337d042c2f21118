'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useDenial } from '@/components/auth/user-context';
import { Slider } from '@/components/ui/slider';
import { describeSplit, releaseRoles, type RouteView, type VirtualServiceView } from '@/lib/mesh/traffic-split';
import { allTo, distributeEvenly, setWeight } from '@/lib/mesh/weights';
import { HttpError } from '@/lib/queries/fetch-json';
import { putWeights } from '@/lib/queries/traffic';
import { DiffView } from './diff-view';
import { routeYaml } from './route-yaml';

type Outcome = { kind: 'applied'; message: string } | { kind: 'failed'; message: string } | { kind: 'conflict'; message: string; current: VirtualServiceView | undefined; mine: number[]; reason: string };

const STEPS = [5, 10, 25, 50];

/** Edits one weighted route: sliders that keep the total at 100, review, apply with a precondition. */
export function WeightEditor({ vs, route, blocked }: { vs: VirtualServiceView; route: RouteView; blocked?: string }) {
  const queryClient = useQueryClient();
  const denial = useDenial('traffic:write');
  const readOnly = blocked ?? denial;
  const [reason, setReason] = useState('');
  const serverWeights = route.destinations.map((d) => d.weight);
  const [draft, setDraft] = useState<{ baseVersion: string; weights: number[] } | null>(null);
  const [locked, setLocked] = useState<boolean[]>(() => route.destinations.map(() => false));
  const [reviewing, setReviewing] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const weights = draft?.weights ?? serverWeights;
  const changed = weights.some((w, i) => w !== serverWeights[i]);
  const roles = releaseRoles(route.destinations.map((d) => d.subset));
  const label = (i: number) => `${route.destinations[i]!.service} ${route.destinations[i]!.subset ?? 'default'}`;

  const apply = useMutation({
    mutationFn: (input: { resourceVersion: string; weights: number[]; reason: string }) =>
      putWeights(vs, route.index, { resourceVersion: input.resourceVersion, reason: input.reason, weights: route.destinations.map((d, i) => ({ host: d.host, ...(d.subset ? { subset: d.subset } : {}), weight: input.weights[i]! })) }),
    onSuccess: ({ item }) => {
      const applied = item.routes[route.index]!;
      setDraft(null);
      setReviewing(false);
      setReason('');
      setOutcome({ kind: 'applied', message: `Applied to ${vs.name}: ${describeSplit(applied.destinations)} (resourceVersion ${item.resourceVersion})` });
      void queryClient.invalidateQueries({ queryKey: ['traffic'] });
    },
    onError: (error, input) => {
      if (error instanceof HttpError && error.status === 409) {
        setOutcome({ kind: 'conflict', message: error.message, current: (error.body as { current?: VirtualServiceView })?.current, mine: input.weights, reason: input.reason });
      } else {
        setOutcome({ kind: 'failed', message: error.message });
      }
    },
  });

  function edit(next: number[]) {
    setOutcome(null);
    setDraft({ baseVersion: draft?.baseVersion ?? vs.resourceVersion, weights: next });
  }

  const disabled = Boolean(readOnly) || apply.isPending;
  const staleBase = draft && draft.baseVersion !== vs.resourceVersion;

  return (
    <div className="weight-editor">
      <ul className="weights">
        {route.destinations.map((d, i) => (
          <li key={`${d.host}/${d.subset}`} className="weight-row">
            <span className="weight-name">
              {d.service} <strong>{d.subset ?? '(all)'}</strong>
            </span>
            <Slider label={`${label(i)} weight`} value={weights[i]!} onChange={(v) => edit(setWeight({ weights, locked }, i, v))} disabled={disabled || locked[i]} />
            <input
              type="number"
              min={0}
              max={100}
              step={1}
              className="weight-input"
              aria-label={`${label(i)} weight percent`}
              value={weights[i]}
              disabled={disabled || locked[i]}
              onChange={(e) => {
                const value = Number(e.target.value);
                if (Number.isFinite(value)) edit(setWeight({ weights, locked }, i, value));
              }}
            />
            <span aria-hidden="true">%</span>
            <button type="button" className="button button-quiet button-small" aria-pressed={locked[i]} disabled={disabled} onClick={() => setLocked(locked.map((l, k) => (k === i ? !l : l)))}>
              {locked[i] ? 'Unlock' : 'Lock'} <span className="visually-hidden">{label(i)}</span>
            </button>
          </li>
        ))}
      </ul>
      <div className="toolbar" role="group" aria-label={`Presets for route ${route.name}`}>
        <button type="button" className="button button-quiet button-small" disabled={disabled} onClick={() => edit(distributeEvenly({ weights, locked }))}>
          Evenly distribute
        </button>
        {route.destinations.length >= 2 && (
          <>
            <button type="button" className="button button-quiet button-small" disabled={disabled} onClick={() => edit(allTo(weights.length, roles.candidate))}>
              Promote {route.destinations[roles.candidate]!.subset}
            </button>
            <button type="button" className="button button-quiet button-small" disabled={disabled} onClick={() => edit(allTo(weights.length, roles.stable))}>
              Roll back to {route.destinations[roles.stable]!.subset}
            </button>
            {STEPS.map((step) => (
              <button key={step} type="button" className="button button-quiet button-small" disabled={disabled} onClick={() => edit(setWeight({ weights, locked: weights.map(() => false) }, roles.candidate, step))}>
                {route.destinations[roles.candidate]!.subset} {step}%
              </button>
            ))}
          </>
        )}
      </div>
      {readOnly && <p className="hint">{readOnly}</p>}
      {changed && !reviewing && (
        <div className="toolbar">
          <button type="button" className="button" onClick={() => setReviewing(true)} disabled={disabled}>
            Review change
          </button>
          <button type="button" className="button button-quiet" onClick={() => setDraft(null)}>
            Discard
          </button>
        </div>
      )}
      {changed && reviewing && (
        <section className="review" aria-label={`Review of ${vs.name} route ${route.name}`}>
          <h4>
            {vs.namespace}/{vs.name}: {describeSplit(route.destinations)} → {describeSplit(route.destinations.map((d, i) => ({ ...d, weight: weights[i]! })))}
          </h4>
          {staleBase && <p className="notice-inline warn">The VirtualService changed since you started editing (resourceVersion {draft!.baseVersion} → {vs.resourceVersion}). Applying will be refused; review the new state first.</p>}
          <DiffView label="Change to the VirtualService" before={routeYaml(route, serverWeights)} after={routeYaml(route, weights)} />
          <label className="field">
            Reason for this change (kept in the audit trail)
            <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. canary error rate is flat after 30 min" />
          </label>
          <div className="toolbar">
            <button type="button" className="button" disabled={apply.isPending || reason.trim().length < 3} onClick={() => apply.mutate({ resourceVersion: draft!.baseVersion, weights, reason })}>
              {apply.isPending ? 'Applying…' : 'Apply'}
            </button>
            <button type="button" className="button button-quiet" onClick={() => setReviewing(false)}>
              Back
            </button>
          </div>
        </section>
      )}
      <Outcome outcome={outcome} route={route} onReapply={(current, mine, why) => apply.mutate({ resourceVersion: current.resourceVersion, weights: mine, reason: why })} />
      {route.blueGreen && <BlueGreenSwitch vs={vs} route={route} disabled={disabled} onSwitch={(target, why) => apply.mutate({ resourceVersion: vs.resourceVersion, weights: allTo(weights.length, target), reason: why })} />}
    </div>
  );
}

function Outcome({ outcome, route, onReapply }: { outcome: Outcome | null; route: RouteView; onReapply: (current: VirtualServiceView, mine: number[], reason: string) => void }) {
  if (!outcome) return null;
  if (outcome.kind === 'applied') return <p role="status" className="notice-inline ok">{outcome.message}</p>;
  if (outcome.kind === 'failed') return <p role="alert" className="notice-inline bad">Not applied: {outcome.message}</p>;
  const currentRoute = outcome.current?.routes[route.index];
  return (
    <section role="alert" aria-label="Conflict" className="notice-inline bad">
      <strong>Not applied: someone changed this VirtualService after you loaded it.</strong>
      <p>{outcome.message}</p>
      {currentRoute && outcome.current && (
        <>
          <dl className="facts">
            <dt>Now in the cluster</dt>
            <dd>
              {describeSplit(currentRoute.destinations)} (resourceVersion {outcome.current.resourceVersion})
            </dd>
            <dt>Your change</dt>
            <dd>{describeSplit(route.destinations.map((d, i) => ({ ...d, weight: outcome.mine[i]! })))}</dd>
          </dl>
          <button type="button" className="button" onClick={() => onReapply(outcome.current!, outcome.mine, outcome.reason)}>
            Re-apply my weights on the latest version
          </button>
        </>
      )}
    </section>
  );
}

function BlueGreenSwitch({ vs, route, disabled, onSwitch }: { vs: VirtualServiceView; route: RouteView; disabled: boolean; onSwitch: (target: number, reason: string) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const live = route.destinations.findIndex((d) => d.weight === 100);
  const target = live === 0 ? 1 : 0;
  const targetName = route.destinations[target]!.subset ?? route.destinations[target]!.service;
  if (!confirming) {
    return (
      <div className="toolbar">
        <button type="button" className="button button-danger" disabled={disabled} onClick={() => setConfirming(true)}>
          Switch {route.destinations[0]!.service} to {targetName}
        </button>
      </div>
    );
  }
  return (
    <div role="alertdialog" aria-modal="false" aria-labelledby={`bg-${vs.name}-${route.index}`} className="confirm">
      <p id={`bg-${vs.name}-${route.index}`}>
        Send all traffic of route {route.name} in {vs.name} from {route.destinations[live]!.subset} to {targetName}?
      </p>
      <label className="field">
        Reason for the switch
        <input value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <div className="toolbar">
        <button
          type="button"
          className="button button-danger"
          disabled={reason.trim().length < 3}
          onClick={() => {
            setConfirming(false);
            onSwitch(target, reason);
          }}
        >
          Switch all traffic to {targetName}
        </button>
        <button type="button" className="button button-quiet" onClick={() => setConfirming(false)}>
          Cancel
        </button>
      </div>
    </div>
  );
}
