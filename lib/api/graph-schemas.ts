// `GET /api/graph` query: which namespaces, over which rate window, grouped how.
import { z } from 'zod';
import { GRAPH_WINDOWS, GROUP_BYS } from '@/lib/mesh/graph';
import { isDnsLabel } from '@/lib/mesh/names';

/** More namespaces than this in one graph is a mistake (or an attempt to inflate the query): ask for all instead. */
export const MAX_GRAPH_NAMESPACES = 100;

/** `namespaces=a,b`: a comma list of namespace names, duplicates dropped; absent or empty = every namespace. */
const namespaceList = z
  .string()
  .transform((raw) =>
    [
      ...new Set(
        raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ].sort(),
  )
  .pipe(
    z
      .array(
        z.string().refine((name) => isDnsLabel(name), {
          error: (issue) => `"${String(issue.input)}" is not a namespace name: use lowercase DNS labels (letters, digits, "-"), e.g. namespaces=shop,media`,
        }),
      )
      .max(MAX_GRAPH_NAMESPACES, `at most ${MAX_GRAPH_NAMESPACES} namespaces; leave namespaces out for the whole mesh`),
  );

export const graphQuery = z.object({
  namespaces: namespaceList.default([]),
  window: z.enum(GRAPH_WINDOWS, { error: `must be one of ${GRAPH_WINDOWS.join(', ')}` }).default('1m'),
  groupBy: z.enum(GROUP_BYS, { error: `must be one of ${GROUP_BYS.join(', ')}` }).default('version'),
});
