// Path parameters shared by the API routes.
import { z } from 'zod';
import { DNS_1123_LABEL, DNS_1123_LABEL_MAX, DNS_1123_SUBDOMAIN, DNS_1123_SUBDOMAIN_MAX } from '@/lib/mesh/names';

/**
 * A list index in a path, e.g. a route number: canonical decimal only, "0" to `max`.
 * " ", "0x0", "0e0", "-0", "+1", "1.0" and leading zeros ("01") are refused rather than read
 * as a number: z.coerce.number() read " ", "0x0" and "0e0" as 0, and wrote route 0.
 */
export function indexParam(max: number) {
  return z
    .string()
    .max(String(max).length, `must be at most ${max}`)
    .regex(/^(0|[1-9][0-9]*)$/, 'must be a whole number written in digits, without sign or leading zeros')
    .transform(Number)
    .pipe(z.number().max(max, `must be at most ${max}`));
}

/** A name that must be an RFC 1123 label (lib/mesh/names.ts); `what` names it in the message. */
export const labelName = (what: string) => z.string().regex(DNS_1123_LABEL, `must be a ${what} name`).max(DNS_1123_LABEL_MAX);

/** An object name that must be an RFC 1123 subdomain (VirtualServices, DestinationRules, ...). */
export const objectName = z.string().regex(DNS_1123_SUBDOMAIN, 'must be a lowercase DNS name').max(DNS_1123_SUBDOMAIN_MAX);

/** A Kubernetes namespace name (RFC 1123 label). */
export const namespaceName = labelName('namespace');

/** `?namespace=` for the pages that show one namespace or all of them. */
export const namespaceQuery = z.object({ namespace: namespaceName.optional() });

/** `[namespace]` in a path. */
export const namespaceParams = z.object({ namespace: namespaceName });

/** `[namespace]/[name]` of an object whose name is also an RFC 1123 label. */
export const objectParams = z.object({ namespace: namespaceName, name: namespaceName });
