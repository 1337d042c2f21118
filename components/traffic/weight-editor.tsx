'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useDenial } from '@/components/auth/user-context';
import { EditFlowOutcome, EditFlowSection } from '@/components/ui/edit-flow';
import { Slider } from '@/components/ui/slider';
import { BLUE_GREEN_RULE } from '@/lib/mesh/blue-green';
import { describeSplit, releasePresets, type DestinationView, type RouteView, type VirtualServiceView } from '@/lib/mesh/traffic-split';
import { allTo, distributeEvenly, setWeight } from '@/lib/mesh/weights';
import { destinationOptionsQuery, routeUrl, storeVirtualService } from '@/lib/queries/traffic';
import { useEditFlow, type EditFlow } from '@/lib/queries/use-edit-flow';
import { EditorDestinationLive, useRouteLive } from './live-numbers';
import { routeId, useRouteDraft } from './route-drafts';
import { rolloutActive, routeRollout } from './rollout-state';
import styles from './traffic.module.css';

type Dest = Pick<DestinationView, 'host' | 'service' | 'subset' | 'weight'>;

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
  // Shared with the compact sliders of the route's table row.
  const [draft, setDraft] = useRouteDraft(routeId(vs, route.index));
  const [locked, setLocked] = useState<Record<string, boolean>>({});
  const [adding, setAdding] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const server: Dest[] = route.destinations;
  const dests = draft?.destinations ?? server;
  const weights = dests.map((d) => d.weight);
  const lockedList = dests.map((d) => Boolean(locked[key(d)]));
  const structural = dests.length !== server.length || dests.some((d, i) => key(d) !== key(server[i]!));
  const changed = structural || dests.some((d, i) => d.weight !== server[i]!.weight);
  const live = useRouteLive(vs.namespace, dests, vs.canaryVersions);
  const liveBeside = (d: Dest, i: number) => (
    <EditorDestinationLive
      label={`Live numbers of ${nameOf(d)}`}
      route={live}
      index={i}
      weight={d.weight}
      now={server.find((s) => key(s) === key(d))?.weight}
    />
  );

  // Same destinations: a weights write; added or removed ones: a destinations write.
  const destinationList = (list: Dest[]) => list.map((d) => ({ host: d.host, ...(d.subset ? { subset: d.subset } : {}), weight: d.weight }));
  const stored = (answer: { item: VirtualServiceView }) => {
    storeVirtualService(queryClient, answer.item);
    setDraft(null);
    return `Applied to ${vs.name}: ${describeSplit(answer.item.routes[route.index]!.destinations)} (resourceVersion ${answer.item.resourceVersion})`;
  };
  const flow = useEditFlow<{ item: VirtualServiceView }>({
    write: {
      url: routeUrl(vs, route.index, structural ? 'destinations' : 'weights'),
      body: ({ reason, resourceVersion }) => ({ resourceVersion, reason, [structural ? 'destinations' : 'weights']: destinationList(dests) }),
    },
    baseVersion: draft?.baseVersion ?? vs.resourceVersion,
    onApplied: stored,
  });
  // The blue-green switch: all traffic to the other side, applied after its own confirmation.
  const switchTarget = route.destinations.findIndex((d) => d.weight === 100) === 0 ? 1 : 0;
  const switchFlow = useEditFlow<{ item: VirtualServiceView }>({
    write: {
      url: routeUrl(vs, route.index, 'weights'),
      body: ({ reason, resourceVersion }) => ({
        resourceVersion,
        reason,
        weights: destinationList(server.map((d, i) => ({ ...d, weight: allTo(server.length, switchTarget)[i]! }))),
      }),
    },
    baseVersion: vs.resourceVersion,
    onApplied: stored,
  });
  const conflictNow = (current: unknown) => {
    const now = (current as VirtualServiceView | undefined)?.routes[route.index];
    return now && `${describeSplit(now.destinations)} (resourceVersion ${(current as VirtualServiceView).resourceVersion})`;
  };

  function edit(next: Dest[]) {
    flow.edited();
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

  const disabled = Boolean(readOnly) || flow.busy || switchFlow.busy;
  // A manual change is allowed during a rollout: its controller sees other weights and pauses (never overwrites them).
  const rollout = routeRollout(vs, route.index);

  return (
    <div className="weight-editor">
      {dests.length === 1 ? (
        <p className="muted">
          All traffic to {dests[0]!.service} {dests[0]!.subset ?? ''} {liveBeside(dests[0]!, 0)}
        </p>
      ) : (
        <ul className="weights">
          {dests.map((d, i) => (
            <li key={key(d)} className={styles.editorRow}>
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
              {liveBeside(d, i)}
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
      {changed && !readOnly && rolloutActive(rollout) && (
        <p role="note" className="notice-inline warn">
          A rollout moves this route: {rollout.headline}. Applying your weights pauses it: the rollout keeps them and does not move again until someone resumes
          it (which puts its step&apos;s weights back) or aborts it.
        </p>
      )}
      <EditFlowSection
        flow={flow}
        action="traffic:write"
        what="VirtualService"
        label={`Review of ${vs.name} route ${route.name}`}
        changed={changed}
        disabled={readOnly}
        heading={`${vs.namespace}/${vs.name}: ${describeSplit(server)} → ${describeSplit(dests)}`}
        reasonPlaceholder="e.g. canary error rate is flat after 30 min"
        mine={describeSplit(dests)}
        now={conflictNow}
        reapplyLabel="Re-apply my weights on the latest version"
        onDiscard={() => (setDraft(null), setRefusal(null), flow.edited())}
      />
      {route.blueGreen && !changed && <BlueGreenSwitch vs={vs} route={route} target={switchTarget} disabled={disabled} flow={switchFlow} />}
      <EditFlowOutcome flow={switchFlow} action="traffic:write" what="VirtualService" mine={describeSplit(server)} now={conflictNow} />
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
  target,
  disabled,
  flow,
}: {
  vs: VirtualServiceView;
  route: RouteView;
  target: number;
  disabled: boolean;
  flow: EditFlow;
}) {
  const [confirming, setConfirming] = useState(false);
  const live = route.destinations.findIndex((d) => d.weight === 100);
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
        <input value={flow.reason} onChange={(e) => flow.setReason(e.target.value)} />
      </label>
      <div className="toolbar">
        <button
          type="button"
          className="button button-danger"
          disabled={Boolean(flow.reasonProblem)}
          onClick={() => {
            setConfirming(false);
            flow.apply();
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
