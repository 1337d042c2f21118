import { route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** Liveness: the process is up and serving (no sign-in: the kubelet asks). */
export const GET = route({ auth: 'public' }, () => ({ status: 'ok' }));
