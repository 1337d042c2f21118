'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useDenial } from '@/components/auth/user-context';
import type { DataColumn } from '@/components/ui/data-table';
import { DrawerTable } from '@/components/ui/drawer-table';
import { PageSection } from '@/components/ui/page-section';
import { EditFlowSection } from '@/components/ui/edit-flow';
import { describeDuration } from '@/lib/mesh/duration';
import { refillPerSecond, validateTokenBucket } from '@/lib/mesh/rate-limits';
import { securityLiveQuery, storeTokenBucket, tokenBucketUrl, type SecurityView } from '@/lib/queries/security';
import { useEditFlow } from '@/lib/queries/use-edit-flow';
import { useMetricsRefresh } from '@/lib/queries/metrics-refresh';

const bucketId = (b: Bucket) => `${b.namespace}/${b.name}#${b.bucket}`;
const rateText = (b: Bucket) => {
  const perSecond = refillPerSecond(b);
  return perSecond === undefined ? '?' : `≈ ${perSecond.toFixed(2)}/s`;
};

/** Envoy local rate limits, one row per token bucket with its refill rate; the live 429s above; the bucket editor in a drawer. */
export function RateLimits({ data, namespace }: { data: SecurityView; namespace: string }) {
  const live = useQuery(securityLiveQuery(namespace, useMetricsRefresh()));
  const limited = live.data ? live.data.services.reduce((sum, s) => sum + s.rateLimited, 0) : undefined;
  const several = (b: Bucket) => data.rateLimits.filter((o) => o.namespace === b.namespace && o.name === b.name).length > 1;
  const columns = useMemo<DataColumn<Bucket>[]>(
    () => [
      {
        id: 'name',
        header: 'EnvoyFilter',
        cell: (b) => <strong>{`${b.namespace}/${b.name}`}</strong>,
        value: (b) => `${b.namespace}/${b.name}`,
        width: 'minmax(9rem, 1.4fr)',
      },
      { id: 'workloads', header: 'Applies to', cell: (b) => b.workloads, value: (b) => b.workloads, width: 'minmax(8rem, 1.2fr)', hideBelow: 800 },
      {
        id: 'bucket',
        header: 'Bucket',
        cell: (b) => `${b.maxTokens} tokens, +${b.tokensPerFill} / ${b.fillInterval}`,
        value: (b) => b.maxTokens,
        width: 'minmax(8rem, 1.2fr)',
      },
      { id: 'rate', header: 'After a burst', cell: rateText, value: (b) => refillPerSecond(b) ?? -1, align: 'end', width: '7.5rem', hideBelow: 600 },
      {
        id: 'enforced',
        header: 'Enforced',
        cell: (b) => `${b.enforcedPercent}%`,
        value: (b) => b.enforcedPercent,
        align: 'end',
        width: '5.5rem',
        hideBelow: 1000,
      },
      {
        id: 'scope',
        header: 'Scope',
        cell: (b) => <span className="muted">{b.form === 'direct' ? b.scope : `${b.scope}, as a ${b.form}`}</span>,
        value: (b) => b.scope,
        hideBelow: 1200,
      },
    ],
    [],
  );
  return (
    <PageSection
      title="Local rate limits"
      note={
        <>
          Token buckets of Envoy&apos;s local rate limit, one per sidecar. Requests answered 429 in the last 5 minutes:{' '}
          {live.isError ? `unknown (${live.error.message})` : limited === undefined ? 'loading…' : `${limited.toFixed(2)}/s`}.
        </>
      }
    >
      <DrawerTable<Bucket>
        label="Local rate limits"
        rows={data.rateLimits}
        columns={columns}
        getRowId={bucketId}
        urlKey="rl"
        openKey="rl.open"
        rowHeight={36}
        empty="No local rate limits match."
        title={(bucket) => (bucket ? `Rate limit ${bucket.namespace}/${bucket.name}` : 'Rate limit')}
        missing={() => 'This token bucket is not in this view: it was deleted, or it is outside the selected namespace.'}
        details={(bucket) => <TokenBucketRow key={bucketId(bucket)} bucket={bucket} several={several(bucket)} />}
      />
    </PageSection>
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
