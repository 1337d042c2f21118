import { namespaceParams } from '@/lib/api/param-schemas';
import { extendBody } from '@/lib/api/security-schemas';
import { auditedWrite } from '@/lib/http/audited-write';
import { route } from '@/lib/http/route';
import { extendEmergency } from '@/lib/k8s/security';

export const dynamic = 'force-dynamic';

/** Moves an emergency's revert deadline (admin; at most 24 hours from now). */
export const POST = route({ auth: 'emergency', params: namespaceParams }, ({ request, params: { namespace } }) =>
  auditedWrite(
    request,
    'emergency',
    { resource: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace, name: 'default' }, action: 'security.emergency-extend' },
    async (raw, options) => {
      const { reason, minutes } = extendBody.parse(raw);
      return { ...(await extendEmergency(namespace, minutes, options)), reason };
    },
  ),
);
