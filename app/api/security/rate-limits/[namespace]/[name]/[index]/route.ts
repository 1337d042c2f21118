import { z } from 'zod';
import { indexParam, namespaceName } from '@/lib/api/param-schemas';
import { tokenBucketBody } from '@/lib/api/security-schemas';
import { auditedWrite } from '@/lib/http/audited-write';
import { route } from '@/lib/http/route';
import { currentTokenBuckets, setTokenBucket } from '@/lib/k8s/security';

export const dynamic = 'force-dynamic';

const params = z.object({ namespace: namespaceName, name: namespaceName, index: indexParam(99) });

/** Changes a local rate limit's token bucket (admin), from the resourceVersion the editor started at; a 409 carries the buckets now. */
export const PUT = route({ auth: 'security:write', params }, ({ request, params: { namespace, name, index } }) =>
  auditedWrite(
    request,
    'security:write',
    {
      resource: { apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', namespace, name },
      action: 'security.rate-limit',
      current: () => currentTokenBuckets(namespace, name),
    },
    async (raw, options) => {
      const input = tokenBucketBody.parse(raw);
      return { ...(await setTokenBucket(namespace, name, index, input, options)), reason: input.reason };
    },
  ),
);
