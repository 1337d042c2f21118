import { z } from 'zod';
import { isKnownCode } from '@/lib/analysis/codes';
import { namespaceQuery } from '@/lib/api/param-schemas';
import { K } from '@/lib/analysis/kinds';
import { LEVELS, type Level } from '@/lib/analysis/types';
import { route } from '@/lib/http/route';
import { readValidation } from '@/lib/live/reads';

export const dynamic = 'force-dynamic';

// A kind as analyzers name it (`networking.istio.io/VirtualService`) or by its name alone (`VirtualService`).
const KIND_NAMES = [...new Set(Object.values(K).flatMap((key) => [key, key.slice(key.indexOf('/') + 1)]))];

const validationQuery = namespaceQuery.extend({
  level: z
    .string()
    .transform((text) => LEVELS.find((level) => level.toLowerCase() === text.toLowerCase()))
    .refine((level): level is Level => level !== undefined, `level must be one of ${LEVELS.join(', ')}`)
    .optional(),
  code: z
    .string()
    .transform((text) => text.toUpperCase())
    .refine(isKnownCode, 'code must be an analysis code such as IST0101 or MDK0001 (the codes present are listed in the answer)')
    .optional(),
  kind: z
    .string()
    .refine((kind) => KIND_NAMES.includes(kind), `kind must be one of ${KIND_NAMES.filter((k) => !k.includes('/')).join(', ')}`)
    .optional(),
});

/**
 * The configuration analysis' findings (`?namespace=&level=&code=&kind=`), only in namespaces the
 * cluster lets the person see, with counts per level, the catalogue entries of the codes present
 * and the kinds that could not be analyzed. Kept current from watch events (live topic `validation`).
 */
export const GET = route({ auth: 'read', query: validationQuery }, ({ user, query }) => readValidation(user!, query));
