'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { useDenial } from '@/components/auth/user-context';
import { ConflictView } from '@/components/ui/conflict-view';
import { QueryState } from '@/components/ui/query-state';
import { describeDuration } from '@/lib/mesh/duration';
import { DEFAULT_EMERGENCY_MINUTES, MAX_EMERGENCY_MINUTES } from '@/lib/mesh/emergency';
import { refillPerSecond, validateTokenBucket } from '@/lib/mesh/rate-limits';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import { HttpError } from '@/lib/queries/fetch-json';
import { emergenciesQuery, evaluateCaller, putTokenBucket, securityLiveQuery, securityQuery, startEmergency, type SecurityView } from '@/lib/queries/security';
import { armingText } from './emergency-banner';

export function SecurityPage() {
  const namespace = useSearchParams().get(NAMESPACE_PARAM) ?? '';
  const view = useQuery(securityQuery(namespace));
  return (
    <>
      <h1>Security</h1>
      <QueryState query={view} label="security policies">
        {(data) => (
          <>
            <MutualTls data={data} namespace={namespace} />
            <Emergency data={data} />
            <Jwt data={data} />
            <Authorization data={data} namespace={namespace} />
            <RateLimits data={data} namespace={namespace} />
          </>
        )}
      </QueryState>
    </>
  );
}

function MutualTls({ data, namespace }: { data: SecurityView; namespace: string }) {
  const live = useQuery(securityLiveQuery(namespace));
  return (
    <section className="panel" aria-labelledby="mtls-title">
      <h2 id="mtls-title">Mutual TLS</h2>
      <p>
        Mesh-wide: <strong>{data.mesh.mode}</strong> <span className="muted">({data.mesh.source})</span>
      </p>
      <table className="table" aria-label="Effective mTLS per namespace">
        <thead>
          <tr>
            <th scope="col">Namespace</th>
            <th scope="col">Mode</th>
            <th scope="col">Decided by</th>
          </tr>
        </thead>
        <tbody>
          {data.namespaces.map((n) => (
            <tr key={n.namespace}>
              <th scope="row">{n.namespace}</th>
              <td>{n.mode}</td>
              <td className="muted">{n.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="table" aria-label="Effective mTLS per workload">
        <thead>
          <tr>
            <th scope="col">Workload</th>
            <th scope="col">Mode</th>
            <th scope="col">Ports</th>
            <th scope="col">Decided by</th>
          </tr>
        </thead>
        <tbody>
          {data.workloads.map((w) => (
            <tr key={`${w.workload.namespace}/${w.workload.name}`}>
              <th scope="row">
                {w.workload.namespace}/{w.workload.name}
              </th>
              <td>{w.mode.mode}</td>
              <td>{w.ports.map((p) => `${p.port}: ${p.mode.mode}`).join(', ') || '–'}</td>
              <td className="muted">{w.mode.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.conflicts.map((c) => (
        <p key={c.destinationRule} role="note" className="notice-inline warn">
          {c.message}
        </p>
      ))}
      <h3>Live share of mTLS and plaintext (last 5 minutes)</h3>
      <QueryState
        query={live}
        label="live traffic from Prometheus"
        isEmpty={(d) => d.services.length === 0}
        empty={`No requests recorded in the last 5 minutes${namespace ? ` in ${namespace}` : ''}.`}
      >
        {(d) => (
          <table className="table" aria-label="Live mTLS share">
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">mTLS</th>
                <th scope="col">Plaintext</th>
              </tr>
            </thead>
            <tbody>
              {d.services.map((s) => {
                const total = s.mutualTls + s.plaintext;
                return (
                  <tr key={`${s.namespace}/${s.service}`}>
                    <th scope="row">
                      {s.service} <span className="muted">{s.namespace}</span>
                    </th>
                    <td>{total ? `${((100 * s.mutualTls) / total).toFixed(1)}%` : '–'}</td>
                    <td>{total ? `${((100 * s.plaintext) / total).toFixed(1)}% (${s.plaintext.toFixed(2)}/s)` : '–'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </QueryState>
    </section>
  );
}

function Emergency({ data }: { data: SecurityView }) {
  const denial = useDenial('emergency');
  const queryClient = useQueryClient();
  const [namespace, setNamespace] = useState(data.namespaces[0]?.namespace ?? '');
  const [confirm, setConfirm] = useState('');
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState(DEFAULT_EMERGENCY_MINUTES);
  const start = useMutation({
    mutationFn: () => startEmergency(namespace, { confirm, reason, minutes }),
    onSuccess: () => void queryClient.invalidateQueries(),
  });
  const revert = useQuery(emergenciesQuery()).data?.revert;
  return (
    <section className="panel" aria-labelledby="emergency-title">
      <h2 id="emergency-title">Emergency PERMISSIVE</h2>
      <p className="muted">
        Lets plaintext clients in while mTLS is broken, for a bounded time. The previous mode comes back at the deadline, even after a restart; a change made
        meanwhile is never overwritten.
      </p>
      {revert && (
        <p role="status" className={`notice-inline ${revert.armed ? 'ok' : 'bad'}`} aria-label="Automatic revert state">
          {armingText(revert)}
        </p>
      )}
      {denial ? (
        <p className="hint">Only admins can start an emergency. {denial}</p>
      ) : (
        <form
          className="signin-form"
          aria-label="Start an emergency"
          onSubmit={(e) => {
            e.preventDefault();
            start.mutate();
          }}
        >
          <label>
            Namespace
            <select value={namespace} onChange={(e) => setNamespace(e.target.value)}>
              {[...data.namespaces.map((n) => n.namespace), data.rootNamespace].map((n) => (
                <option key={n} value={n}>
                  {n === data.rootNamespace ? `${n} (whole mesh)` : n}
                </option>
              ))}
            </select>
          </label>
          <label>
            Type the namespace name to confirm
            <input value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="off" />
          </label>
          <label>
            Reason
            <input value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <label>
            Revert after (minutes, at most {MAX_EMERGENCY_MINUTES})
            <input type="number" min={1} max={MAX_EMERGENCY_MINUTES} value={minutes} onChange={(e) => setMinutes(Number(e.target.value))} />
          </label>
          <button
            type="submit"
            className="button button-danger"
            disabled={confirm !== namespace || reason.trim().length < 3 || start.isPending || revert?.armed === false}
          >
            Switch {namespace} to PERMISSIVE
          </button>
          {start.isError && (
            <p role="alert" className="notice-inline bad">
              Not started: {start.error.message}
            </p>
          )}
          {start.isSuccess && (
            <p role="status" className="notice-inline ok">
              {namespace} is PERMISSIVE until the deadline shown in the banner.
            </p>
          )}
        </form>
      )}
    </section>
  );
}

function Jwt({ data }: { data: SecurityView }) {
  return (
    <section className="panel" aria-labelledby="jwt-title">
      <h2 id="jwt-title">JWT authentication</h2>
      {data.jwt.length === 0 && <p className="muted">No RequestAuthentication: tokens are not validated.</p>}
      {data.jwt.map((r) => (
        <div key={`${r.namespace}/${r.name}`}>
          <h3>
            {r.namespace}/{r.name} <span className="muted">for {r.workloads}</span>
          </h3>
          <table className="table" aria-label={`JWT providers of ${r.name}`}>
            <thead>
              <tr>
                <th scope="col">Issuer</th>
                <th scope="col">JWKS</th>
                <th scope="col">Audiences</th>
                <th scope="col">Token from</th>
                <th scope="col">Forwarded</th>
              </tr>
            </thead>
            <tbody>
              {r.providers.map((p) => (
                <tr key={p.issuer}>
                  <th scope="row">{p.issuer}</th>
                  <td>
                    <code>{p.jwksUri ?? 'discovered'}</code>
                  </td>
                  <td>{p.audiences.join(', ') || 'any'}</td>
                  <td>{p.fromHeaders.join(', ') || 'Authorization (Bearer …)'}</td>
                  <td>{p.forwardOriginalToken ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      <h3>Which workloads need a token</h3>
      <ul aria-label="Which workloads need a token">
        {data.tokenRequired.map((t) => (
          <li key={t.workload}>
            <strong>{t.workload}</strong>:{' '}
            {t.required === 'always' ? 'token required' : t.required === 'sometimes' ? 'token required for some requests' : 'no token required'}
            {t.because.length > 0 && ` (${t.because.join('; ')})`}
          </li>
        ))}
      </ul>
    </section>
  );
}

const lines = (text: string, sep: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .map((l) => l.split(sep))
      .filter((p) => p.length >= 2 && p[0]!.trim())
      .map(([k, ...v]) => [k!.trim(), v.join(sep).trim()]),
  );

const GATEWAY = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';

function Authorization({ data, namespace }: { data: SecurityView; namespace: string }) {
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

function RateLimits({ data, namespace }: { data: SecurityView; namespace: string }) {
  const live = useQuery(securityLiveQuery(namespace));
  const limited = live.data ? live.data.services.reduce((sum, s) => sum + s.rateLimited, 0) : undefined;
  return (
    <section className="panel" aria-labelledby="rl-title">
      <h2 id="rl-title">Local rate limits</h2>
      <p className="muted">
        Token buckets of Envoy&apos;s local rate limit, one per sidecar. Requests answered 429 in the last 5 minutes:{' '}
        {live.isError ? `unknown (${live.error.message})` : limited === undefined ? 'loading…' : `${limited.toFixed(2)}/s`}.
      </p>
      {data.rateLimits.length === 0 && <p className="muted">No local rate limits.</p>}
      {data.rateLimits.map((b) => (
        <TokenBucketRow
          key={`${b.namespace}/${b.name}${b.bucket}`}
          bucket={b}
          several={data.rateLimits.filter((o) => o.namespace === b.namespace && o.name === b.name).length > 1}
        />
      ))}
    </section>
  );
}

type Bucket = SecurityView['rateLimits'][number];
type BucketValues = { maxTokens: number; tokensPerFill: number; fillInterval: string };
const bucketText = (b: BucketValues) => `${b.maxTokens} tokens, ${b.tokensPerFill} added every ${b.fillInterval}`;

function TokenBucketRow({ bucket, several }: { bucket: Bucket; several: boolean }) {
  const denial = useDenial('security:write');
  const queryClient = useQueryClient();
  // The editor keeps the bucket as it was when editing began: its values fill the form, its version is the precondition.
  const [base, setBase] = useState<Bucket | null>(null);
  const [form, setForm] = useState({ maxTokens: bucket.maxTokens, tokensPerFill: bucket.tokensPerFill, fillInterval: bucket.fillInterval, reason: '' });
  const [conflict, setConflict] = useState<{ message: string; now: Bucket | undefined; mine: typeof form } | null>(null);
  const save = useMutation({
    mutationFn: (input: { resourceVersion: string; values: typeof form }) =>
      putTokenBucket(bucket.namespace, bucket.name, bucket.patchIndex, { ...input.values, bucket: bucket.bucket, resourceVersion: input.resourceVersion }),
    onSuccess: () => {
      setBase(null);
      setConflict(null);
      void queryClient.invalidateQueries({ queryKey: ['security'] });
    },
    onError: (error, input) => {
      if (error instanceof HttpError && error.status === 409) {
        const current = (error.body as { current?: { buckets: Bucket[] } } | undefined)?.current;
        setConflict({ message: error.message, now: current?.buckets.find((b) => b.bucket === bucket.bucket), mine: input.values });
        void queryClient.invalidateQueries({ queryKey: ['security'] });
      }
    },
  });
  const editing = base !== null;
  const startEditing = (from: Bucket, values?: typeof form) => {
    setBase(from);
    setConflict(null);
    save.reset();
    setForm(values ?? { maxTokens: from.maxTokens, tokensPerFill: from.tokensPerFill, fillInterval: from.fillInterval, reason: '' });
  };
  const perSecond = refillPerSecond(bucket);
  const reads = describeDuration(bucket.fillInterval);
  const errors = Object.values(validateTokenBucket(form, base ?? bucket));
  return (
    <div className="route" aria-label={`Rate limit ${bucket.name}${several ? ` (${bucket.scope})` : ''}`} role="group">
      <p>
        <strong>
          {bucket.namespace}/{bucket.name}
        </strong>{' '}
        for {bucket.workloads}: bucket of {bucket.maxTokens} tokens, {bucket.tokensPerFill} added every {bucket.fillInterval}
        {reads && ` (${reads})`} (≈ {perSecond === undefined ? '?' : perSecond.toFixed(2)} requests/s per sidecar after a burst)
      </p>
      <p className="muted">
        {bucket.scope}
        {bucket.form !== 'direct' && `, written as a ${bucket.form}`}
        {bucket.enforcedPercent < 100 && `; enforced on ${bucket.enforcedPercent}% of requests (filter_enabled × filter_enforced; Envoy's default is 0%)`}
      </p>
      {!denial && !editing && (
        <button type="button" className="button button-quiet button-small" onClick={() => startEditing(bucket)}>
          Edit {bucket.name}
        </button>
      )}
      {editing && !conflict && (
        <form
          className="condition"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate({ resourceVersion: base.resourceVersion, values: form });
          }}
        >
          <label>
            Max tokens <input type="number" min={1} value={form.maxTokens} onChange={(e) => setForm({ ...form, maxTokens: Number(e.target.value) })} />
          </label>
          <label>
            Tokens per fill{' '}
            <input type="number" min={1} value={form.tokensPerFill} onChange={(e) => setForm({ ...form, tokensPerFill: Number(e.target.value) })} />
          </label>
          <label>
            Fill interval <input value={form.fillInterval} onChange={(e) => setForm({ ...form, fillInterval: e.target.value })} />
          </label>
          <label>
            Reason <input value={form.reason} onChange={(e) => setForm({ ...form, reason: e.target.value })} />
          </label>
          <button type="submit" className="button button-small" disabled={save.isPending || errors.length > 0}>
            Save
          </button>
          <button type="button" className="button button-quiet button-small" onClick={() => setBase(null)}>
            Cancel
          </button>
          {base.resourceVersion !== bucket.resourceVersion && !conflict && (
            <p className="notice-inline warn">
              This EnvoyFilter changed since you started editing (resourceVersion {base.resourceVersion} → {bucket.resourceVersion}). Saving will be refused;
              review the new state first.
            </p>
          )}
          {errors.length > 0 && (
            <p role="alert" className="notice-inline bad">
              {errors.join('; ')}
            </p>
          )}
          {save.isError && !conflict && (
            <p role="alert" className="notice-inline bad">
              {save.error.message}
            </p>
          )}
        </form>
      )}
      {conflict && (
        <ConflictView
          what="EnvoyFilter"
          message={conflict.message}
          now={conflict.now && `${bucketText(conflict.now)} (resourceVersion ${conflict.now.resourceVersion})`}
          mine={bucketText(conflict.mine)}
          reapplyLabel="Edit my values on the latest version"
          onReapply={() => conflict.now && startEditing(conflict.now, { ...conflict.mine })}
          onDiscard={() => {
            setConflict(null);
            setBase(null);
          }}
        />
      )}
    </div>
  );
}
