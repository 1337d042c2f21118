import { z } from 'zod';
import { route } from '@/lib/http/route';
import { operations } from '@/lib/metrics/jaeger';

export const dynamic = 'force-dynamic';

const query = z.object({ service: z.string({ error: 'choose a service' }).max(200) });

/** The operations Jaeger knows for a service, for the trace search form. */
export const GET = route({ auth: 'read', query }, async ({ query: { service } }) => ({ items: (await operations(service)).sort() }));
