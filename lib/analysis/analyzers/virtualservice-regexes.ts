// Regular expressions in a VirtualService must compile as RE2 (Istio's
// virtualservice.RegexAnalyzer, IST0122): the uri, scheme, method and authority of each HTTP
// match, its headers and queryParams, and corsPolicy.allowOrigins. Istio skips withoutHeaders
// ("undocumented"); its schema validation does check them (all but the `*` that means
// "present"), and Envoy rejects a bad one all the same, so they are checked here too.
import { K } from '../kinds';
import type { Analyzer, CheckContext } from '../types';
import { re2Problem } from './virtualservice-re2';
import type { HttpMatch, StringMatch, VirtualServiceSpec } from './virtualservice-routes';

function checkRegex(context: CheckContext, match: StringMatch | null | undefined, where: string, path: string) {
  const regex = match?.regex;
  if (typeof regex !== 'string' || regex === '') return;
  const problem = re2Problem(regex);
  if (problem) context.report('IST0122', `Field "${where}" regular expression invalid: "${regex}" (${problem})`, { path: `${path}.regex` });
}

export const virtualServiceRegexes: Analyzer = {
  id: 'virtualservice.regexes',
  description: 'Regular expressions of VirtualService matches and CORS origins compile as RE2',
  kinds: [K.VirtualService],
  codes: ['IST0122'],
  check(vs, context) {
    ((vs.spec as VirtualServiceSpec | undefined)?.http ?? []).forEach((route, r) => {
      ((route.match as HttpMatch[] | undefined) ?? []).forEach((match, m) => {
        const at = `spec.http[${r}].match[${m}]`;
        for (const field of ['uri', 'scheme', 'method', 'authority'] as const) checkRegex(context, match?.[field], field, `${at}.${field}`);
        for (const field of ['headers', 'queryParams', 'withoutHeaders'] as const) {
          for (const [key, value] of Object.entries(match?.[field] ?? {})) {
            if (field === 'withoutHeaders' && value?.regex === '*') continue;
            checkRegex(context, value, field, `${at}.${field}.${key}`);
          }
        }
      });
      const origins = (route.corsPolicy as { allowOrigins?: StringMatch[] } | undefined)?.allowOrigins ?? [];
      origins.forEach((origin, o) => checkRegex(context, origin, 'corsPolicy.allowOrigins', `spec.http[${r}].corsPolicy.allowOrigins[${o}]`));
    });
  },
};
