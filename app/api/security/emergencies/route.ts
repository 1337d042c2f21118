import { route } from '@/lib/http/route';
import { readEmergencies } from '@/lib/live/reads';

export const dynamic = 'force-dynamic';

/** Active emergencies and whether their automatic revert is armed, for the banner on every page. */
export const GET = route({ auth: 'read' }, () => readEmergencies());
