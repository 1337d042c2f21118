import { emergencyBody, namespaceName } from '@/lib/api/security-schemas';
import { auditedWrite } from '@/lib/http/audited-write';
import { errorResponse } from '@/lib/http/responses';
import { startEmergency } from '@/lib/k8s/security';
import { requireArmedRevert } from '@/lib/security/emergency-reconciler';

export const dynamic = 'force-dynamic';

/** Emergency PERMISSIVE on a namespace (admin): the name typed out, a reason, a revert time. */
export async function POST(request: Request, context: { params: Promise<{ namespace: string }> }) {
  const parsed = namespaceName.safeParse((await context.params).namespace);
  if (!parsed.success) return errorResponse(parsed.error);
  const namespace = parsed.data;
  return auditedWrite(request, 'emergency', { resource: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace, name: 'default' }, action: 'security.emergency-start' }, async (raw, options, user) => {
    const input = emergencyBody.parse({ ...(raw as object), namespace });
    await requireArmedRevert(); // a PERMISSIVE that nothing would revert is worse than none
    const change = await startEmergency(namespace, input, user.email ?? user.name, options);
    return { ...change, reason: input.reason };
  });
}
