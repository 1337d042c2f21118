import { namespaceParams } from '@/lib/api/param-schemas';
import { restoreBody } from '@/lib/api/security-schemas';
import { auditedWrite } from '@/lib/http/audited-write';
import { route } from '@/lib/http/route';
import { restoreEmergency } from '@/lib/k8s/security';

export const dynamic = 'force-dynamic';

/** Ends an emergency now: the previous mTLS mode comes back (admin). */
export const POST = route({ auth: 'emergency', params: namespaceParams }, ({ request, params: { namespace } }) =>
  auditedWrite(
    request,
    'emergency',
    { resource: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace, name: 'default' }, action: 'security.emergency-restore' },
    async (raw, options) => {
      const { reason } = restoreBody.parse(raw);
      return { ...(await restoreEmergency(namespace, options)), reason };
    },
  ),
);
