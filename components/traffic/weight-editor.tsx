'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useDenial } from '@/components/auth/user-context';
import { ConflictView } from '@/components/ui/conflict-view';
import { Slider } from '@/components/ui/slider';
import { BLUE_GREEN_RULE } from '@/lib/mesh/blue-green';
import { describeSplit, releasePresets, type DestinationView, type RouteView, type VirtualServiceView } from '@/lib/mesh/traffic-split';
import { allTo, distributeEvenly, setWeight } from '@/lib/mesh/weights';
import { HttpError } from '@/lib/queries/fetch-json';
import { destinationOptionsQuery, putDestinations, putWeights } from '@/lib/queries/traffic';
import { DiffView } from './diff-view';
import { routeYaml } from './route-yaml';

type Dest = Pick<DestinationView, 'host' | 'service' | 'subset' | 'weight'>;
type Outcome =
  | { kind: 'applied'; message: string }
  | { kind: 'failed'; message: string }
  | { kind: 'conflict'; message: string; current: VirtualServiceView | undefined; mine: Dest[]; reason: string };

const key = (d: { host: string; subset?: string }) => `${d.host}/${d.subset ?? ''}`;
const nameOf = (d: Dest) => `${d.service} ${d.subset ?? 'default'}`;

/**
 * Edits one route's destinations: sliders that keep the total at 100, presets, adding a
 * destination (at 0 %) or removing one at 0 %, review as a diff, apply with a precondition.
 */
export function WeightEditor({ vs, route, blocked }: { vs: VirtualServiceView; route: RouteView; blocked?: string }) {
  const queryClient = useQueryClient();
  const denial = useDenial('traffic:write');
  const readOnly = blocked ?? denial;
  const [reason, setReason] = useState('');
  const [draft, setDraft] = useState<{ baseVersion: string; destinations: Dest[] } | null>(null);
  const [locked, setLocked] = useState<Record<string, boolean>>({});
  const [reviewing, setReviewing] = useState(false);
  const [adding, setAdding] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const server: Dest[] = route.destinations;
  const dests = draft?.destinations ?? server;
  const weights = dests.map((d) => d.weight);
  const lockedList = dests.map((d) => Boolean(locked[key(d)]));
  const structural = dests.length !== server.length || dests.some((d, i) => key(d) !== key(server[i]!));
  const changed = structural || dests.some((d, i) => d.weight !== server[i]!.weight);

  const apply = useMutation({
    mutationFn: (input: { resourceVersion: string; destinations: Dest[]; reason: string }) => {
      const body = { resourceVersion: input.resourceVersion, reason: input.reason };
      const list = input.destinations.map((d) => ({ host: d.host, ...(d.subset ? { subset: d.subset } : {}), weight: d.weight }));
      const sameList = input.destinations.length === server.length && input.destinations.every((d, i) => key(d) === key(server[i]!));
      return sameList ? putWeights(vs, route.index, { ...body, weights: list }) : putDestinations(vs, route.index, { ...body, destinations: list });
    },
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
        setOutcome({
          kind: 'conflict',
          message: error.message,
          current: (error.body as { current?: VirtualServiceView })?.current,
          mine: input.destinations,
          reason: input.reason,
        });
      } else {
        setOutcome({ kind: 'failed', message: error.message });
      }
    },
  });

  function edit(next: Dest[]) {
    setOutcome(null);
    setRefusal(null);
    setDraft({ baseVersion: draft?.baseVersion ?? vs.resourceVersion, destinations: next });
  }
  const withWeights = (next: number[]) => edit(dests.map((d, i) => ({ ...d, weight: next[i]! })));
  function remove(i: number) {
    const d = dests[i]!;
    const inCluster = server.find((s) => key(s) === key(d));
    if (inCluster && inCluster.weight > 0) {
      setRefusal(
        `${nameOf(d)} cannot be removed: it takes ${inCluster.weight}% of this route's traffic. Move its weight to the other destinations and apply that first; then remove it.`,
      );
      return;
    }
    if (d.weight > 0) {
      setRefusal(`${nameOf(d)} cannot be removed while your change gives it ${d.weight}%: set it to 0 first.`);
      return;
    }
    edit(dests.filter((_, k) => k !== i));
  }

  const disabled = Boolean(readOnly) || apply.isPending;
  const staleBase = draft && draft.baseVersion !== vs.resourceVersion;

  return (
    <div className="weight-editor">
      {dests.length === 1 ? (
        <p className="muted">
          All traffic to {dests[0]!.service} {dests[0]!.subset ?? ''}
        </p>
      ) : (
        <ul className="weights">
          {dests.map((d, i) => (
            <li key={key(d)} className="weight-row">
              <span className="weight-name">
                {d.service} <strong>{d.subset ?? '(all)'}</strong>
              </span>
              <Slider
                label={`${nameOf(d)} weight`}
                value={d.weight}
                onChange={(v) => withWeights(setWeight({ weights, locked: lockedList }, i, v))}
                disabled={disabled || lockedList[i]}
              />
              <input
                type="number"
                min={0}
                max={100}
                step={1}
                className="weight-input"
                aria-label={`${nameOf(d)} weight percent`}
                value={d.weight}
                disabled={disabled || lockedList[i]}
                onChange={(e) => {
                  const value = Number(e.target.value);
                  if (Number.isFinite(value)) withWeights(setWeight({ weights, locked: lockedList }, i, value));
                }}
              />
              <span aria-hidden="true">%</span>
              <button
                type="button"
                className="button button-quiet button-small"
                aria-pressed={lockedList[i]}
                disabled={disabled}
                onClick={() => setLocked({ ...locked, [key(d)]: !lockedList[i] })}
              >
                {lockedList[i] ? 'Unlock' : 'Lock'} <span className="visually-hidden">{nameOf(d)}</span>
              </button>
              <button type="button" className="button button-quiet button-small" disabled={disabled} onClick={() => remove(i)}>
                Remove <span className="visually-hidden">destination {nameOf(d)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {refusal && (
        <p role="alert" className="notice-inline warn">
          {refusal}
        </p>
      )}
      <div className="toolbar" role="group" aria-label={`Presets for route ${route.name}`}>
        {dests.length >= 2 && (
          <button
            type="button"
            className="button button-quiet button-small"
            disabled={disabled}
            onClick={() => withWeights(distributeEvenly({ weights, locked: lockedList }))}
          >
            Evenly distribute
          </button>
        )}
        {releasePresets(dests, weights, vs.canaryVersions).map((preset) => (
          <button key={preset.label} type="button" className="button button-quiet button-small" disabled={disabled} onClick={() => withWeights(preset.weights)}>
            {preset.label}
          </button>
        ))}
        {!readOnly && !adding && (
          <button type="button" className="button button-quiet button-small" disabled={disabled} onClick={() => setAdding(true)}>
            Add destination to {route.name}
          </button>
        )}
      </div>
      {adding && (
        <AddDestination vs={vs} route={route} taken={dests.map(key)} onAdd={(d) => (edit([...dests, d]), setAdding(false))} onCancel={() => setAdding(false)} />
      )}
      {readOnly && <p className="hint">{readOnly}</p>}
      {changed && !reviewing && (
        <div className="toolbar">
          <button type="button" className="button" onClick={() => setReviewing(true)} disabled={disabled}>
            Review change
          </button>
          <button type="button" className="button button-quiet" onClick={() => (setDraft(null), setRefusal(null))}>
            Discard
          </button>
        </div>
      )}
      {changed && reviewing && (
        <section className="review" aria-label={`Review of ${vs.name} route ${route.name}`}>
          <h4>
            {vs.namespace}/{vs.name}: {describeSplit(server)} → {describeSplit(dests)}
          </h4>
          {staleBase && (
            <p className="notice-inline warn">
              The VirtualService changed since you started editing (resourceVersion {draft!.baseVersion} → {vs.resourceVersion}). Applying will be refused;
              review the new state first.
            </p>
          )}
          <DiffView label="Change to the VirtualService" before={routeYaml(route, server)} after={routeYaml(route, dests)} />
          <label className="field">
            Reason for this change (kept in the audit trail)
            <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. canary error rate is flat after 30 min" />
          </label>
          <div className="toolbar">
            <button
              type="button"
              className="button"
              disabled={apply.isPending || reason.trim().length < 3}
              onClick={() => apply.mutate({ resourceVersion: draft!.baseVersion, destinations: dests, reason })}
            >
              {apply.isPending ? 'Applying…' : 'Apply'}
            </button>
            <button type="button" className="button button-quiet" onClick={() => setReviewing(false)}>
              Back
            </button>
          </div>
        </section>
      )}
      {outcome?.kind === 'applied' && (
        <p role="status" className="notice-inline ok">
          {outcome.message}
        </p>
      )}
      {outcome?.kind === 'failed' && (
        <p role="alert" className="notice-inline bad">
          Not applied: {outcome.message}
        </p>
      )}
      {outcome?.kind === 'conflict' && (
        <ConflictView
          what="VirtualService"
          message={outcome.message}
          now={
            outcome.current?.routes[route.index] &&
            `${describeSplit(outcome.current.routes[route.index]!.destinations)} (resourceVersion ${outcome.current.resourceVersion})`
          }
          mine={describeSplit(outcome.mine)}
          reapplyLabel="Re-apply my weights on the latest version"
          onReapply={() =>
            outcome.current && apply.mutate({ resourceVersion: outcome.current.resourceVersion, destinations: outcome.mine, reason: outcome.reason })
          }
        />
      )}
      {route.blueGreen && !changed && (
        <BlueGreenSwitch
          vs={vs}
          route={route}
          disabled={disabled}
          onSwitch={(target, why) =>
            apply.mutate({
              resourceVersion: vs.resourceVersion,
              destinations: server.map((d, i) => ({ ...d, weight: allTo(server.length, target)[i]! })),
              reason: why,
            })
          }
        />
      )}
      {route.blueGreenWhy && (
        <details className="hint">
          <summary>{route.blueGreen ? 'Why this route has a blue-green switch' : 'Why this 100/0 route has no blue-green switch'}</summary>
          <p>{route.blueGreenWhy}</p>
          <p>{BLUE_GREEN_RULE}</p>
        </details>
      )}
    </div>
  );
}

/** Picks a host of the namespace (the route's own first) and one of its DestinationRule subsets; adds it at 0 %. */
function AddDestination({
  vs,
  route,
  taken,
  onAdd,
  onCancel,
}: {
  vs: VirtualServiceView;
  route: RouteView;
  taken: string[];
  onAdd: (d: Dest) => void;
  onCancel: () => void;
}) {
  const options = useQuery(destinationOptionsQuery(vs));
  const own = route.destinations[0]?.host;
  const hosts = [...(options.data?.items ?? [])].sort((a, b) => Number(b.host === own) - Number(a.host === own));
  const [hostChoice, setHost] = useState<string | undefined>(undefined);
  const host = hosts.find((h) => h.host === hostChoice) ?? hosts[0];
  const free = host ? (host.subsets.length ? host.subsets : ['']).filter((s) => !taken.includes(key({ host: host.host, subset: s || undefined }))) : [];
  const [subsetChoice, setSubset] = useState<string | undefined>(undefined);
  const subset = subsetChoice !== undefined && free.includes(subsetChoice) ? subsetChoice : free[0];
  return (
    <fieldset className="add-destination">
      <legend>Add a destination to {route.name} (it starts at 0%)</legend>
      {options.isPending && <p className="hint">Loading the DestinationRules of {vs.namespace}…</p>}
      {options.isError && (
        <p role="alert" className="notice-inline bad">
          The DestinationRules could not be read: {options.error.message}
        </p>
      )}
      {options.data && hosts.length === 0 && <p className="hint">No DestinationRule in {vs.namespace} defines subsets: create one first.</p>}
      {host && (
        <>
          <label className="field">
            Host
            <select value={host.host} onChange={(e) => (setHost(e.target.value), setSubset(undefined))}>
              {hosts.map((h) => (
                <option key={h.host} value={h.host}>
                  {h.host}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            Subset
            <select value={subset ?? ''} onChange={(e) => setSubset(e.target.value)} disabled={free.length === 0}>
              {free.map((s) => (
                <option key={s} value={s}>
                  {s || '(whole service)'}
                </option>
              ))}
            </select>
          </label>
          {free.length === 0 && <p className="hint">Every subset of {host.service} is already a destination of this route.</p>}
        </>
      )}
      <div className="toolbar">
        <button
          type="button"
          className="button button-small"
          disabled={!host || subset === undefined}
          onClick={() => host && subset !== undefined && onAdd({ host: host.host, service: host.service, subset: subset || undefined, weight: 0 })}
        >
          Add {host ? `${host.service} ${subset || ''}`.trim() : 'destination'} at 0%
        </button>
        <button type="button" className="button button-quiet button-small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </fieldset>
  );
}

function BlueGreenSwitch({
  vs,
  route,
  disabled,
  onSwitch,
}: {
  vs: VirtualServiceView;
  route: RouteView;
  disabled: boolean;
  onSwitch: (target: number, reason: string) => void;
}) {
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
        <span className="hint">{route.blueGreenWhy}</span>
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
