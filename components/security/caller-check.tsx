'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { evaluateCaller, type SecurityView } from '@/lib/queries/security';
import { PageSection } from '@/components/ui/page-section';
import styles from './security.module.css';

const lines = (text: string, sep: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .map((l) => l.split(sep))
      .filter((p) => p.length >= 2 && p[0]!.trim())
      .map(([k, ...v]) => [k!.trim(), v.join(sep).trim()]),
  );

const GATEWAY = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';

/** "Can this caller do this?": a request evaluated against the workload's policies as its sidecar would. */
export function CallerCheck({ data }: { data: SecurityView }) {
  const apps = [...new Set(data.workloads.map((w) => `${w.workload.namespace}/${w.workload.labels.app ?? w.workload.name}`))];
  const [target, setTarget] = useState(apps[0] ?? '');
  const [principal, setPrincipal] = useState(data.principals.includes(GATEWAY) ? GATEWAY : (data.principals[0] ?? ''));
  const [sourceNamespace, setSourceNamespace] = useState('');
  const [sourceIp, setSourceIp] = useState('');
  const [method, setMethod] = useState('GET');
  const [path, setPath] = useState('/');
  const [host, setHost] = useState('');
  // A caller signed in with the first issuer this mesh trusts; empty (no token) when it trusts none.
  const firstProvider = data.jwt.flatMap((r) => r.providers)[0];
  const [token, setToken] = useState(firstProvider ? `${firstProvider.issuer}/user-1` : '');
  const [audiences, setAudiences] = useState(firstProvider?.audiences[0] ?? '');
  const [claims, setClaims] = useState('tier=free');
  const [headers, setHeaders] = useState('');
  const check = useMutation({
    mutationFn: () => {
      const [ns, app] = target.split('/');
      const claimValues = Object.fromEntries(Object.entries(lines(claims, '=')).map(([k, v]) => [k, v.includes(',') ? v.split(',').map((x) => x.trim()) : v]));
      return evaluateCaller({
        namespace: ns,
        app,
        principal: principal.trim() || undefined,
        sourceNamespace: sourceNamespace.trim() || undefined,
        sourceIp: sourceIp.trim() || undefined,
        method,
        path,
        host: host.trim() || undefined,
        headers: lines(headers, ':'),
        requestPrincipal: token.trim() || undefined,
        audiences: token.trim()
          ? audiences
              .split(',')
              .map((a) => a.trim())
              .filter(Boolean)
          : [],
        claims: token.trim() ? claimValues : {},
      });
    },
  });
  const decision = check.data?.decision;
  return (
    <PageSection
      level={3}
      title="Can this caller do this?"
      note="Evaluated as the workload's sidecar does: the JWT check, every DENY policy, then the ALLOW policies. CUSTOM policies (external authorizers) are not evaluated."
    >
      <form
        aria-label="Can this caller do this?"
        className={styles.callerForm}
        onSubmit={(e) => {
          e.preventDefault();
          check.mutate();
        }}
      >
        <label>
          Workload
          <select value={target} onChange={(e) => setTarget(e.target.value)}>
            {apps.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          Method
          <input value={method} onChange={(e) => setMethod(e.target.value.toUpperCase())} />
        </label>
        <label>
          Path
          <input value={path} onChange={(e) => setPath(e.target.value)} />
        </label>
        <label>
          Host (optional)
          <input value={host} onChange={(e) => setHost(e.target.value)} />
        </label>
        <label>
          Caller principal (mTLS identity; empty for a plaintext caller)
          <input value={principal} onChange={(e) => setPrincipal(e.target.value)} list="known-principals" />
        </label>
        <datalist id="known-principals">
          {data.principals.map((p) => (
            <option key={p} value={p} />
          ))}
        </datalist>
        <label>
          Caller namespace (from its certificate; empty to read it from the principal)
          <input value={sourceNamespace} onChange={(e) => setSourceNamespace(e.target.value)} />
        </label>
        <label>
          Caller IP (optional)
          <input value={sourceIp} onChange={(e) => setSourceIp(e.target.value)} />
        </label>
        <label>
          Token principal (issuer/subject; empty for no token)
          <input value={token} onChange={(e) => setToken(e.target.value)} />
        </label>
        <label>
          Token audiences (comma-separated)
          <input value={audiences} onChange={(e) => setAudiences(e.target.value)} />
        </label>
        <label>
          Claims (one name=value per line; a,b for a list)
          <textarea rows={2} value={claims} onChange={(e) => setClaims(e.target.value)} />
        </label>
        <label>
          Headers (one name: value per line)
          <textarea rows={2} value={headers} onChange={(e) => setHeaders(e.target.value)} />
        </label>
        <div>
          <button type="submit" className="button">
            Evaluate
          </button>
        </div>
      </form>
      {decision && (
        <>
          <p role="status" className={`notice-inline ${decision.allowed ? 'decision-allowed' : 'decision-denied'}`}>
            <strong>{decision.allowed ? 'Allowed' : 'Denied'}</strong>: {decision.reason}
          </p>
          {decision.trace.length > 0 && (
            <ol aria-label="How it was decided">
              {decision.trace.map((step) => (
                <li key={step.policy}>
                  {step.action} {step.policy}: {step.matched ? 'matched' : 'did not match'} ({step.detail})
                </li>
              ))}
            </ol>
          )}
          {decision.notes.map((n) => (
            <p key={n} role="note" className="notice-inline warn">
              {n}
            </p>
          ))}
        </>
      )}
      {check.isError && (
        <p role="alert" className="notice-inline bad">
          {check.error.message}
        </p>
      )}
    </PageSection>
  );
}
