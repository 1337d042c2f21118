'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useDenial } from '@/components/auth/user-context';
import { ConflictView } from '@/components/ui/conflict-view';
import { describeDuration } from '@/lib/mesh/duration';
import { refillPerSecond, validateTokenBucket } from '@/lib/mesh/rate-limits';
import { HttpError } from '@/lib/queries/fetch-json';
import { putTokenBucket, securityLiveQuery, type SecurityView } from '@/lib/queries/security';

/** Envoy local rate limits (token buckets), their live 429s, and the bucket editor. */
export function RateLimits({ data, namespace }: { data: SecurityView; namespace: string }) {
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
      {/* ── Edit flow (reason → review → apply → outcome): kept together for components/ui/edit-flow.tsx ── */}
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
      {/* ── End of edit flow ── */}
    </div>
  );
}
