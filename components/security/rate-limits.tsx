'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useDenial } from '@/components/auth/user-context';
import { EditFlowSection } from '@/components/ui/edit-flow';
import { describeDuration } from '@/lib/mesh/duration';
import { refillPerSecond, validateTokenBucket } from '@/lib/mesh/rate-limits';
import { securityLiveQuery, storeTokenBucket, tokenBucketUrl, type SecurityView } from '@/lib/queries/security';
import { useEditFlow } from '@/lib/queries/use-edit-flow';

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
  const [form, setForm] = useState<BucketValues>({ maxTokens: bucket.maxTokens, tokensPerFill: bucket.tokensPerFill, fillInterval: bucket.fillInterval });
  const flow = useEditFlow<{ item: Bucket }>({
    write: {
      url: tokenBucketUrl(bucket.namespace, bucket.name, bucket.patchIndex),
      body: ({ reason, resourceVersion }) => ({ ...form, bucket: bucket.bucket, reason, resourceVersion }),
    },
    baseVersion: base?.resourceVersion,
    onApplied: ({ item }) => {
      storeTokenBucket(queryClient, item);
      setBase(null);
      return `Saved ${bucket.name}: ${bucketText(item)} (resourceVersion ${item.resourceVersion})`;
    },
  });
  const editing = base !== null;
  const startEditing = (from: Bucket) => {
    setBase(from);
    flow.edited();
    setForm({ maxTokens: from.maxTokens, tokensPerFill: from.tokensPerFill, fillInterval: from.fillInterval });
  };
  const edit = (values: BucketValues) => {
    flow.edited();
    setForm(values);
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
      {editing && (
        <div className="condition">
          <label>
            Max tokens <input type="number" min={1} value={form.maxTokens} onChange={(e) => edit({ ...form, maxTokens: Number(e.target.value) })} />
          </label>
          <label>
            Tokens per fill{' '}
            <input type="number" min={1} value={form.tokensPerFill} onChange={(e) => edit({ ...form, tokensPerFill: Number(e.target.value) })} />
          </label>
          <label>
            Fill interval <input value={form.fillInterval} onChange={(e) => edit({ ...form, fillInterval: e.target.value })} />
          </label>
          {errors.length > 0 && (
            <p role="alert" className="notice-inline bad">
              {errors.join('; ')}
            </p>
          )}
        </div>
      )}
      <EditFlowSection
        flow={flow}
        action="security:write"
        what="EnvoyFilter"
        label={`Review of rate limit ${bucket.name}`}
        changed={editing}
        disabled={denial}
        applyLabel="Save"
        check={() => errors.length === 0}
        mine={bucketText(form)}
        now={(current) => {
          const now = (current as { buckets?: Bucket[] } | undefined)?.buckets?.find((b) => b.bucket === bucket.bucket);
          return now && `${bucketText(now)} (resourceVersion ${now.resourceVersion})`;
        }}
        reapplyLabel="Save my values on the latest version"
        onDiscard={() => (setBase(null), flow.edited())}
      />
    </div>
  );
}
