'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { evaluateCaller, type SecurityView } from '@/lib/queries/security';

const lines = (text: string, sep: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .map((l) => l.split(sep))
      .filter((p) => p.length >= 2 && p[0]!.trim())
      .map(([k, ...v]) => [k!.trim(), v.join(sep).trim()]),
  );

const GATEWAY = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';

/** AuthorizationPolicies, and "can this caller do this?" evaluated as the sidecar would. */
export function Authorization({ data, namespace }: { data: SecurityView; namespace: string }) {
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
    <section className="panel" aria-labelledby="authz-title">
      <h2 id="authz-title">Authorization {namespace ? `in ${namespace}` : ''}</h2>
      {data.authorization.map((p) => (
        <div key={`${p.namespace}/${p.name}`} className="route" role="group" aria-label={`${p.action} policy ${p.namespace}/${p.name}`}>
          <h3>
            <span className={`badge ${p.action === 'DENY' ? 'badge-warn' : ''}`}>{p.action}</span> {p.namespace}/{p.name}{' '}
            <span className="muted">for {p.workloads}</span>
          </h3>
          <ol>
            {p.rules.map((r, i) => (
              <li key={i}>
                who: {r.who}; what: {r.what}; when: {r.when}
              </li>
            ))}
            {p.rules.length === 0 && <li>no rules: {p.action === 'ALLOW' ? 'allows nothing' : 'matches nothing'}</li>}
          </ol>
        </div>
      ))}
      <form
        aria-label="Can this caller do this?"
        className="split-2"
        onSubmit={(e) => {
          e.preventDefault();
          check.mutate();
        }}
      >
        <div className="signin-form">
          <h3>Can this caller do this?</h3>
          <p className="muted">
            Evaluated as the workload&apos;s sidecar does: the JWT check, every DENY policy, then the ALLOW policies. CUSTOM policies (external authorizers) are
            not evaluated.
          </p>
          <label>
            Workload
            <select value={target} onChange={(e) => setTarget(e.target.value)}>
              {apps.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </select>
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
            Host (optional)
            <input value={host} onChange={(e) => setHost(e.target.value)} />
          </label>
          <label>
            Method
            <input value={method} onChange={(e) => setMethod(e.target.value.toUpperCase())} />
          </label>
          <label>
            Path
            <input value={path} onChange={(e) => setPath(e.target.value)} />
          </label>
        </div>
        <div className="signin-form">
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
            <textarea rows={3} value={claims} onChange={(e) => setClaims(e.target.value)} />
          </label>
          <label>
            Headers (one name: value per line)
            <textarea rows={3} value={headers} onChange={(e) => setHeaders(e.target.value)} />
          </label>
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
    </section>
  );
}
