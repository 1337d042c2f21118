import { errorResponse, json } from '@/lib/http/responses';
import { ApiError } from '@/lib/k8s/errors';
import { freshView } from '@/lib/k8s/virtual-services';
import type { VirtualServiceView } from '@/lib/mesh/traffic-split';
import { readJsonBody } from './body';
import { requireSameOrigin } from './guards';

/**
 * The shared shape of the traffic writes: same-origin check, bounded JSON body, the write,
 * and on a conflict the current state of the object so the page can show what changed.
 */
export async function trafficWrite(request: Request, target: { namespace: string; name: string }, write: (body: unknown) => Promise<VirtualServiceView>) {
  try {
    requireSameOrigin(request);
    const body = await readJsonBody(request);
    return json({ item: await write(body) });
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) {
      const current = await freshView(target.namespace, target.name).catch(() => undefined);
      return json({ error: { status: 409, reason: 'Conflict', message: `${error.message}. Review the current state and apply again.` }, current }, 409);
    }
    return errorResponse(error);
  }
}
