import { namespaceParams } from '@/lib/api/param-schemas';
import { emergencyBody } from '@/lib/api/security-schemas';
import { auditedWrite } from '@/lib/http/audited-write';
import { route } from '@/lib/http/route';
import { startEmergency } from '@/lib/k8s/security';
import { requireArmedRevert } from '@/lib/security/emergency-reconciler';

export const dynamic = 'force-dynamic';

/** Emergency PERMISSIVE on a namespace (admin): the name typed out, a reason, a revert time. */
export const POST = route({ auth: 'emergency', params: namespaceParams }, ({ request, params: { namespace } }) =>
  auditedWrite(
    request,
    'emergency',
    { resource: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace, name: 'default' }, action: 'security.emergency-start' },
    async (raw, options, user) => {
      // Only an object body is spread: an array or a string would spread into index keys.
      const input = emergencyBody.parse(raw && typeof raw === 'object' && !Array.isArray(raw) ? { ...raw, namespace } : raw);
      await requireArmedRevert(); // a PERMISSIVE that nothing would revert is worse than none
      const change = await startEmergency(namespace, input, user.email ?? user.name, options);
      return { ...change, reason: input.reason };
    },
  ),
);
