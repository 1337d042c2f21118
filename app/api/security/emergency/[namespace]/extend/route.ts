import { extendBody, namespaceName } from '@/lib/api/security-schemas';
import { auditedWrite } from '@/lib/http/audited-write';
import { errorResponse } from '@/lib/http/responses';
import { extendEmergency } from '@/lib/k8s/security';

export const dynamic = 'force-dynamic';

/** Moves an emergency's revert deadline (admin; at most 24 hours from now). */
export async function POST(request: Request, context: { params: Promise<{ namespace: string }> }) {
  const parsed = namespaceName.safeParse((await context.params).namespace);
  if (!parsed.success) return errorResponse(parsed.error);
  const namespace = parsed.data;
  return auditedWrite(request, 'emergency', { resource: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace, name: 'default' }, action: 'security.emergency-extend' }, async (raw, options) => {
    const { reason, minutes } = extendBody.parse(raw);
    return { ...(await extendEmergency(namespace, minutes, options)), reason };
  });
}
