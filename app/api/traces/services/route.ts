import { route } from '@/lib/http/route';
import { services } from '@/lib/metrics/jaeger';

export const dynamic = 'force-dynamic';

/** The services Jaeger has traces for. */
export const GET = route({ auth: 'read' }, async () => ({ items: (await services()).sort() }));
