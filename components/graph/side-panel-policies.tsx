'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { GraphNode, GroupBy } from '@/lib/mesh/graph';
import { objectHref } from '@/lib/navigation';
import { HttpError } from '@/lib/queries/fetch-json';
import { securityQuery } from '@/lib/queries/security';
import { policiesSelecting, securityHref, workloadsOfNode, type SecurityPolicy, type SecurityWorkload } from './side-panel-model';
import styles from './side-panel.module.css';

const when = (iso: string) => new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });

/** Why the policies could not be read: the cluster's RBAC, or another failure. */
function unreadable(error: Error, namespace: string) {
  return error instanceof HttpError && error.status === 403
    ? `Your access does not let you read the policies of ${namespace}: ${error.message}`
    : `Could not load the policies of ${namespace}: ${error.message}`;
}

/**
 * The node's mTLS mode (with an active emergency and its revert time) and the AuthorizationPolicies
 * that select its workloads, read from the Security page's API when the panel opens (its namespace's
 * answer, and the mesh root's for mesh-wide policies).
 */
export function SidePanelPolicies({ node, groupBy }: { node: GraphNode; groupBy: GroupBy }) {
  const view = useQuery(securityQuery(node.namespace));
  const root = view.data?.rootNamespace;
  const rootView = useQuery({ ...securityQuery(root ?? ''), enabled: Boolean(root && root !== node.namespace) });
  const workloads: SecurityWorkload[] = view.data ? workloadsOfNode(node, groupBy, view.data.workloads) : [];
  const mode = node.decoration.mtlsMode ?? workloads[0]?.mode.mode;
  const emergency = node.decoration.emergency ?? view.data?.emergencies.find((e) => e.namespace === node.namespace);
  const candidates: SecurityPolicy[] = [...(view.data?.authorization ?? []), ...(root !== node.namespace ? (rootView.data?.authorization ?? []) : [])];
  const policies = view.data && root ? policiesSelecting(node, workloads, candidates, root) : [];
  return (
    <>
      <dl className="facts">
        <dt>mTLS</dt>
        <dd>
          {mode ? <span className={mode === 'STRICT' ? 'tone-ok' : 'tone-warn'}>{mode}</span> : view.isPending ? 'loading…' : 'not known'}
          {mode && mode !== 'STRICT' && ' (plaintext accepted)'}
        </dd>
      </dl>
      {emergency && (
        <p className="notice-inline warn">
          Emergency: mTLS lowered to PERMISSIVE ({emergency.reason}); reverts {when(emergency.revertAt)}.
        </p>
      )}
      <h4 className={styles.subheading}>Authorization policies</h4>
      {view.isPending ? (
        <p className="state state-loading" role="status">
          Loading the policies…
        </p>
      ) : view.isError ? (
        <p className="state state-error" role="alert">
          {unreadable(view.error, node.namespace)}
        </p>
      ) : policies.length === 0 ? (
        <p className="state state-empty">No policy: no AuthorizationPolicy selects it, so every caller is allowed (mTLS permitting).</p>
      ) : (
        <ul className={styles.list}>
          {policies.map((p) => (
            <li key={`${p.namespace}/${p.name}`}>
              <span className={`badge ${p.action === 'DENY' ? 'badge-warn' : ''}`}>{p.action}</span>{' '}
              <Link href={objectHref({ kind: 'AuthorizationPolicy', namespace: p.namespace, name: p.name })}>
                {p.namespace}/{p.name}
              </Link>{' '}
              <span className="muted">
                {p.rules.length === 0 ? 'no rules' : `${p.rules.length} rule${p.rules.length === 1 ? '' : 's'}`}, applies to {p.workloads}
              </span>
            </li>
          ))}
        </ul>
      )}
      {rootView.isError && (
        <p className="muted">
          Mesh-wide policies of {root} not shown: {unreadable(rootView.error, root!)}
        </p>
      )}
      <p>
        <Link href={securityHref(node.namespace)}>Security of {node.namespace}</Link>
      </p>
    </>
  );
}
