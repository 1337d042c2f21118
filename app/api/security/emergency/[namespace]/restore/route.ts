import { namespaceName, restoreBody } from '@/lib/api/security-schemas';
import { auditedWrite } from '@/lib/http/audited-write';
import { errorResponse } from '@/lib/http/responses';
import { restoreEmergency } from '@/lib/k8s/security';

export const dynamic = 'force-dynamic';

/** Ends an emergency now: the previous mTLS mode comes back (admin). */
export async function POST(request: Request, context: { params: Promise<{ namespace: string }> }) {
  const parsed = namespaceName.safeParse((await context.params).namespace);
  if (!parsed.success) return errorResponse(parsed.error);
  const namespace = parsed.data;
  return auditedWrite(request, 'emergency', { resource: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace, name: 'default' }, action: 'security.emergency-restore' }, async (raw, options) => {
    const { reason } = restoreBody.parse(raw);
    return { ...(await restoreEmergency(namespace, options)), reason };
  });
}
