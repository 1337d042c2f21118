// Meshdeck's configuration from the environment: every variable the server reads, in one zod
// schema, parsed once (again only when the environment changes, as tests change it) and
// checked, so a wrong value is an error that names the variable at startup and in /api/readyz,
// not a surprise deep in a request. Values stay strings: each module reads its own as before.
import { z } from 'zod';
import { parseRoleMapping } from '@/lib/auth/roles';
import { parseTrustedProxies } from '@/lib/auth/trusted-proxies';
import { ApiError } from '@/lib/k8s/errors';
import { isDnsLabel, LABEL_RULE } from '@/lib/mesh/names';

/** Optional text; blank counts as unset wherever a module checks it. */
const text = () => z.string().optional();
/** A check that runs only on a non-blank value. */
const checked = (check: (value: string) => string | undefined) =>
  z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      const problem = value?.trim() ? check(value.trim()) : undefined;
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

const flag = () => checked((v) => (v === '0' || v === '1' ? undefined : `must be 1 (on) or 0 (off), not "${v}"`));
const httpUrl = () =>
  checked((v) => {
    try {
      const { protocol } = new URL(v);
      return protocol === 'http:' || protocol === 'https:' ? undefined : `must be an http:// or https:// URL, not "${v}"`;
    } catch {
      return `must be a URL such as http://host:port, not "${v}"`;
    }
  });
const positive = (unit: string, min = Number.MIN_VALUE, whole = false) =>
  checked((v) => {
    const n = Number(v);
    return Number.isFinite(n) && n >= min && (!whole || Number.isInteger(n))
      ? undefined
      : `must be ${whole ? 'a whole' : 'a positive'} number of ${unit}${min > 1 ? ` (${min} or more)` : ''}, not "${v}"`;
  });
const namespace = () => checked((v) => (isDnsLabel(v) ? undefined : `must be a namespace name (${LABEL_RULE}), not "${v}"`));
const thrown = (parse: () => unknown) => {
  try {
    parse();
    return undefined;
  } catch (error) {
    // The parsers name the variable themselves ("MESHDECK_ROLE_GROUPS: ..."): keep their reason.
    return (error as Error).message.replace(/^[A-Z_]+: /, '');
  }
};

/** Every environment variable the server reads; `describe` is the README's "Meaning". */
export const envSchema = z.object({
  // Cluster
  KUBECONFIG: text().describe('Kubeconfig file(s) to use; otherwise ~/.kube/config, otherwise the pod service account (in-cluster).'),
  KUBERNETES_SERVICE_HOST: text().describe('Set by Kubernetes in a pod: with the service account token, means in-cluster credentials.'),
  MESHDECK_KUBE_CONTEXT: text().describe("Context to use instead of the kubeconfig's current context."),
  MESHDECK_NAMESPACES: checked((v) => {
    const bad = v
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n && !isDnsLabel(n));
    return bad.length ? `lists ${bad.map((n) => `"${n}"`).join(', ')}: use ${LABEL_RULE}, separated by commas` : undefined;
  }).describe('Comma-separated namespaces to watch, one list and watch per namespace. Unset: every namespace, one cluster-wide watch per kind.'),
  MESHDECK_ROOT_NAMESPACE: namespace().describe("Istio's root namespace (mesh-wide policies and configuration), default istio-system."),
  POD_NAMESPACE: namespace().describe("Meshdeck's own namespace, where its Leases live (the Deployment sets it from the downward API)."),
  MESHDECK_NAMESPACE: namespace().describe("Meshdeck's own namespace when POD_NAMESPACE is not set, default meshdeck."),
  // Outside systems
  MESHDECK_PROMETHEUS_URL: httpUrl().describe('Where the dashboard finds Prometheus.'),
  MESHDECK_PROMETHEUS_TOKEN: text().describe('Bearer token for Prometheus.'),
  MESHDECK_PROMETHEUS_USER: text().describe('Basic-auth user for Prometheus (with MESHDECK_PROMETHEUS_PASSWORD).'),
  MESHDECK_PROMETHEUS_PASSWORD: text().describe('Basic-auth password for Prometheus.'),
  MESHDECK_JAEGER_URL: httpUrl().describe("Where the dashboard finds Jaeger's query API."),
  MESHDECK_JAEGER_UI_URL: httpUrl().describe('Jaeger\'s UI, for the "Open in Jaeger" link on a trace.'),
  // Sign-in and roles
  NEXTAUTH_SECRET: text().describe("next-auth's session-signing secret (required in production)."),
  AUTH_SECRET: text().describe('Accepted instead of NEXTAUTH_SECRET.'),
  NEXTAUTH_URL: httpUrl().describe("The dashboard's public URL (required in production); https makes cookies Secure."),
  MESHDECK_OIDC_ISSUER: httpUrl().describe('OpenID Connect issuer URL.'),
  MESHDECK_OIDC_CLIENT_ID: text().describe('OpenID Connect client id.'),
  MESHDECK_OIDC_CLIENT_SECRET: text().describe('OpenID Connect client secret.'),
  MESHDECK_OIDC_NAME: text().describe('Label of the sign-in button, default "Single sign-on".'),
  MESHDECK_OIDC_SCOPES: text().describe('Scopes to ask for, default "openid email profile groups".'),
  MESHDECK_GROUPS_CLAIM: text().describe("The ID-token claim that lists the user's groups, default groups."),
  MESHDECK_ROLE_GROUPS: checked((v) => thrown(() => parseRoleMapping(v))).describe(
    'Groups per role: admin=platform-admins;operator=sre,oncall;viewer=engineering.',
  ),
  MESHDECK_DEMO_AUTH: flag().describe('1: demo users (viewer, operator, admin) for the sandbox and tests.'),
  MESHDECK_DEMO_PASSWORD: text().describe("The demo users' password, default meshdeck-demo."),
  MESHDECK_SESSION_MAX_AGE: positive('seconds', 10, true).describe('Session length in seconds, default 28800.'),
  MESHDECK_TRUSTED_PROXIES: checked((v) => thrown(() => parseTrustedProxies(v))).describe(
    'Addresses or CIDRs of the proxies in front of Meshdeck, whose X-Forwarded-* headers are believed.',
  ),
  MESHDECK_READ_ONLY: flag().describe('1: the whole dashboard is view-only.'),
  MESHDECK_IMPERSONATE: flag().describe('1: Meshdeck acts as the signed-in person (impersonation).'),
  // Background work and audit
  MESHDECK_EMERGENCY_RECONCILER: flag().describe(
    '0: this replica leaves the automatic emergency reverts (and the rollouts, which share their Lease) to the others.',
  ),
  MESHDECK_ROLLOUT_CONTROLLER: flag().describe(
    '0: this replica leaves the rollouts to the others; as they share the Lease of the emergency reverts, it then only watches that Lease.',
  ),
  MESHDECK_AUDIT_KEY: text().describe('The key (32 characters or more) that signs audit entries; otherwise derived from NEXTAUTH_SECRET.'),
  MESHDECK_AUDIT_RETENTION: flag().describe('0: this replica only watches the retention Lease.'),
  MESHDECK_AUDIT_RETENTION_DAYS: positive('days').describe('Audit entries older than this many days go, default 90.'),
  MESHDECK_AUDIT_NAMESPACE_BYTES: positive('bytes').describe('Each namespace keeps at most this many bytes of audit entries, default 8 MiB.'),
  // Set by Node and Next.js, read alongside
  NODE_ENV: text().describe('Set by Next.js; in production, demo sign-in logs a loud warning.'),
  NEXT_RUNTIME: text().describe('Set by Next.js: background work starts only in the nodejs runtime.'),
});

export type ServerEnv = z.infer<typeof envSchema>;
export type EnvVariable = keyof ServerEnv;
const VARIABLES = Object.keys(envSchema.shape) as EnvVariable[];

/** One wrong variable: its name and what is wrong. */
export interface EnvProblem {
  variable: string;
  message: string;
}

/** The environment is invalid: a 503 whose message names each wrong variable (routes pass it on). */
export class EnvError extends ApiError {
  constructor(readonly problems: EnvProblem[]) {
    super(503, `Meshdeck's configuration is invalid: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`, 'InvalidConfiguration');
    this.name = 'EnvError';
  }
}

type Parsed = { ok: true; env: ServerEnv } | { ok: false; error: EnvError };
let cached: { fingerprint: string; parsed: Parsed } | undefined;

/** Parses an environment (a record of strings) with the schema. */
export function parseEnv(raw: Record<string, string | undefined>): Parsed {
  const result = envSchema.safeParse(raw);
  if (result.success) return { ok: true, env: result.data };
  return { ok: false, error: new EnvError(result.error.issues.map((issue) => ({ variable: String(issue.path[0]), message: issue.message }))) };
}

function current(): Parsed {
  // Next.js may define these two at build time rather than in process.env: read them by name.
  const raw: Record<string, string | undefined> = { ...process.env, NODE_ENV: process.env.NODE_ENV, NEXT_RUNTIME: process.env.NEXT_RUNTIME };
  // Reading ~40 variables is cheap; parsing again only when one changed keeps this "once" in a
  // server and right in tests that set a variable between calls.
  const fingerprint = VARIABLES.map((name) => raw[name] ?? '\u0000').join('\u0001');
  if (cached?.fingerprint !== fingerprint) cached = { fingerprint, parsed: parseEnv(raw) };
  return cached.parsed;
}

/** The server's configuration, checked; throws {@link EnvError} (naming the variables) when a value is wrong. */
export function serverEnv(): ServerEnv {
  const parsed = current();
  if (!parsed.ok) throw parsed.error;
  return parsed.env;
}

/** What is wrong with the server's configuration (empty when nothing), without throwing: for startup and readiness. */
export function envProblems(): EnvProblem[] {
  const parsed = current();
  return parsed.ok ? [] : parsed.error.problems;
}

/** Forgets the parsed environment (tests). */
export function resetEnv(): void {
  cached = undefined;
}

/** Meshdeck's own namespace (its Leases, session revocations): POD_NAMESPACE, else MESHDECK_NAMESPACE, else meshdeck. */
export const ownNamespace = (env: Pick<ServerEnv, 'POD_NAMESPACE' | 'MESHDECK_NAMESPACE'> = serverEnv()) =>
  env.POD_NAMESPACE || env.MESHDECK_NAMESPACE || 'meshdeck';
