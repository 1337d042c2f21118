// The HTTP front of the sandbox: routing of Kubernetes API paths, authentication,
// impersonation and RBAC, bodies (JSON, YAML apply patches, protobuf from kubectl), content
// negotiation, Status errors, Warning headers and streaming watches.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Authorizer, authenticate, demoIdentities, type Attributes, type DemoIdentity, type UserInfo } from './auth.ts';
import { apiGroup, apiGroupList, coreVersions, openApiV2Document, openApiV3Document, openApiV3Index, resourceList, serverVersion } from './discovery.ts';
import { Handlers, type RequestContext, type WriteHooks } from './handlers.ts';
import { negotiate } from './negotiation.ts';
import { decodeProtobufObject } from './protobuf.ts';
import type { ResourceRegistry, ResourceType } from './resources.ts';
import { StatusError, badRequest } from './status.ts';
import type { Store } from './store.ts';

const MAX_BODY_BYTES = 3 * 1024 * 1024; // kube-apiserver's request body limit
const PROTOBUF = 'application/vnd.kubernetes.protobuf';

interface Route {
  type: ResourceType;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export interface SandboxServerOptions {
  store: Store;
  registry: ResourceRegistry;
  hooks: WriteHooks;
  /** The bearer tokens the server knows (the demo identities unless given). */
  identities?: DemoIdentity[];
  log?: (line: string) => void;
}

/** The request handler of the sandbox API (served over HTTPS by sandbox.ts). */
export function createSandboxHandler(options: SandboxServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { store, registry } = options;
  const authorizer = new Authorizer(store, registry);
  const handlers = new Handlers(store, registry, options.hooks);
  const log = options.log ?? (() => undefined);
  const identities = options.identities ?? demoIdentities;

  function route(pathname: string): Route | { discovery: unknown } | undefined {
    const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    let group = '';
    let version: string;
    let rest: string[];
    if (parts[0] === 'api') {
      if (parts.length === 1) return { discovery: 'core-versions' };
      version = parts[1]!;
      rest = parts.slice(2);
    } else if (parts[0] === 'apis') {
      if (parts.length === 1) return { discovery: apiGroupList(registry) };
      group = parts[1]!;
      if (parts.length === 2) return { discovery: apiGroup(registry, group) ?? null };
      version = parts[2]!;
      rest = parts.slice(3);
    } else {
      return undefined;
    }
    if (rest.length === 0) return { discovery: resourceList(registry, group, version) ?? null };
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const type = registry.byPath(group, version, rest[2]!);
      if (type?.namespaced) return { type, version, namespace: rest[1], name: rest[3], subresource: rest[4] };
    }
    const type = registry.byPath(group, version, rest[0]!);
    if (!type) return undefined;
    return { type, version, name: rest[1], subresource: rest[2] };
  }

  function verbOf(method: string, r: Route, watch: boolean): string {
    switch (method) {
      case 'GET':
        return watch ? 'watch' : r.name ? 'get' : 'list';
      case 'POST':
        return 'create';
      case 'PUT':
        return 'update';
      case 'PATCH':
        return 'patch';
      case 'DELETE':
        return r.name ? 'delete' : 'deletecollection';
      default:
        throw new StatusError(405, `the server does not allow this method on the requested resource`, 'MethodNotAllowed');
    }
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    return (await readBytes(req)).toString('utf8');
  }

  async function readBytes(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new StatusError(413, 'the request body is too large (more than 3 MiB)', 'RequestEntityTooLarge');
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  function parseJson(raw: string): unknown {
    if (!raw.trim()) return undefined;
    try {
      return JSON.parse(raw);
    } catch (error) {
      throw badRequest(`the request body is not valid JSON: ${(error as Error).message}`);
    }
  }

  function send(res: ServerResponse, status: number, body: unknown, warnings: string[] = []): void {
    const text = JSON.stringify(body);
    const headers: Record<string, string | string[] | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-cache, private',
    };
    // RFC 7234 warnings, as kube-apiserver sends them: 299 - "text".
    if (warnings.length) headers.warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
    res.writeHead(status, headers);
    res.end(text);
  }

  /** A create or update body: JSON, or protobuf for the kinds kubectl sends that way. */
  async function readObject(req: IncomingMessage): Promise<unknown> {
    const bytes = await readBytes(req);
    if ((req.headers['content-type'] ?? '').startsWith(PROTOBUF)) return decodeProtobufObject(bytes);
    return parseJson(bytes.toString('utf8'));
  }

  function managerOf(req: IncomingMessage, query: URLSearchParams): string {
    const explicit = query.get('fieldManager');
    if (explicit) return explicit;
    // kube-apiserver derives the default manager from the user agent's program name.
    return (req.headers['user-agent'] ?? 'unknown').split('/')[0]!.trim() || 'unknown';
  }

  function reviews(user: UserInfo, type: ResourceType, body: unknown): unknown {
    const review = (body ?? {}) as { spec?: Record<string, unknown> };
    if (type.kind === 'SelfSubjectAccessReview') {
      const attrs = (review.spec?.resourceAttributes ?? {}) as Record<string, string>;
      const nonResource = review.spec?.nonResourceAttributes as { path?: string; verb?: string } | undefined;
      const a: Attributes = nonResource
        ? { verb: nonResource.verb ?? 'get', group: '', resource: '', nonResourcePath: nonResource.path ?? '/' }
        : {
            verb: attrs.verb ?? 'get',
            group: attrs.group ?? '',
            resource: attrs.resource ?? '',
            subresource: attrs.subresource || undefined,
            namespace: attrs.namespace || undefined,
            name: attrs.name || undefined,
          };
      const decision = authorizer.authorize(user, a);
      return {
        ...review,
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        metadata: { creationTimestamp: null },
        status: { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) },
      };
    }
    const namespace = (review.spec?.namespace as string | undefined) ?? 'default';
    const rules = authorizer.rulesFor(user, namespace).map(({ rule }) => rule);
    return {
      ...review,
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectRulesReview',
      metadata: { creationTimestamp: null },
      status: {
        resourceRules: rules
          .filter((r) => !r.nonResourceURLs)
          .map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources, ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}) })),
        nonResourceRules: [
          { verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/version', '/openapi', '/openapi/*', '/healthz', '/readyz', '/livez'] },
          ...rules.filter((r) => r.nonResourceURLs).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
        ],
        incomplete: false,
      },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const { pathname, searchParams: query } = url;
    const method = req.method ?? 'GET';

    if (pathname === '/healthz' || pathname === '/readyz' || pathname === '/livez') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }

    let user = authenticate(req.headers.authorization, identities);
    const impersonateGroups = ([] as string[])
      .concat(req.headers['impersonate-group'] ?? [])
      .flatMap((g) => g.split(',').map((s) => s.trim()))
      .filter(Boolean);
    user = authorizer.impersonate(user, req.headers['impersonate-user'] as string | undefined, impersonateGroups);

    const segments = pathname.split('/').filter(Boolean);
    const nonResource =
      segments[0] === 'version' ||
      segments[0] === 'openapi' ||
      (segments[0] === 'api' && segments.length <= 2) ||
      (segments[0] === 'apis' && segments.length <= 3);
    if (nonResource) {
      authorizer.require(user, { verb: 'get', group: '', resource: '', nonResourcePath: pathname });
    }
    if (pathname === '/version') return send(res, 200, serverVersion);
    if (pathname === '/openapi/v2') return send(res, 200, openApiV2Document(registry));
    if (pathname === '/openapi/v3') return send(res, 200, openApiV3Index(registry));
    if (pathname.startsWith('/openapi/v3/')) {
      const parts = pathname.slice('/openapi/v3/'.length).split('/');
      const doc = parts[0] === 'api' ? openApiV3Document(registry, '', parts[1] ?? '') : openApiV3Document(registry, parts[1] ?? '', parts[2] ?? '');
      if (!doc) throw new StatusError(404, `the server could not find the requested resource`, 'NotFound');
      return send(res, 200, doc);
    }

    const matched = route(pathname);
    if (!matched) throw new StatusError(404, 'the server could not find the requested resource', 'NotFound');
    if ('discovery' in matched) {
      if (matched.discovery === null) throw new StatusError(404, 'the server could not find the requested resource', 'NotFound');
      return send(res, 200, matched.discovery === 'core-versions' ? coreVersions(req.headers.host ?? '127.0.0.1') : matched.discovery);
    }

    const r = matched;
    if (r.subresource && !r.type.subresources.includes(r.subresource))
      throw new StatusError(404, 'the server could not find the requested resource', 'NotFound');
    const watch = query.get('watch') === 'true' || query.get('watch') === '1';
    const verb = verbOf(method, r, watch);
    if (!r.type.verbs.includes(verb)) throw new StatusError(405, `the server does not allow this method on the requested resource`, 'MethodNotAllowed');
    authorizer.require(user, { verb, group: r.type.group, resource: r.type.plural, subresource: r.subresource, namespace: r.namespace, name: r.name });

    const ctx: RequestContext = {
      type: r.type,
      version: r.version,
      namespace: r.type.namespaced ? r.namespace : undefined,
      name: r.name,
      subresource: r.subresource,
      query,
      user,
      manager: managerOf(req, query),
      as: verb === 'get' || verb === 'list' || verb === 'watch' ? negotiate(req.headers.accept, verb) : undefined,
      warnings: [],
    };

    if (r.type.virtual) return send(res, 201, reviews(user, r.type, await readObject(req)));
    if (r.subresource === 'log') {
      // The sandbox's pods run nothing, so their logs are empty.
      handlers.get({ ...ctx, as: undefined });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('');
      return;
    }

    if (r.subresource === 'scale' && (verb === 'get' || verb === 'update' || verb === 'patch')) {
      return send(res, 200, handlers.scale(ctx, verb, req.headers['content-type'], verb === 'get' ? '' : await readBody(req)));
    }

    switch (verb) {
      case 'get':
        return send(res, 200, handlers.get(ctx));
      case 'list':
        return send(res, 200, handlers.list(ctx));
      case 'watch': {
        // Headers go out once the watch has started, so that a bad request is still a plain error.
        const start = () => {
          if (res.headersSent) return;
          res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' });
          res.flushHeaders();
        };
        let stop: () => void = () => undefined;
        const close = () => {
          stop();
          start();
          res.end();
        };
        stop = handlers.watch(
          ctx,
          (event) => {
            start();
            res.write(`${JSON.stringify(event)}\n`);
          },
          close,
        );
        start();
        req.on('close', () => stop());
        return;
      }
      case 'create': {
        const { status, body } = handlers.create(ctx, await readObject(req));
        return send(res, status, body, ctx.warnings);
      }
      case 'update': {
        const body = handlers.update(ctx, await readObject(req));
        return send(res, 200, body, ctx.warnings);
      }
      case 'patch': {
        if ((req.headers['content-type'] ?? '').startsWith(PROTOBUF))
          throw new StatusError(
            415,
            'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
            'UnsupportedMediaType',
          );
        const { status, body } = handlers.patch(ctx, req.headers['content-type'] ?? '', await readBody(req));
        return send(res, status, body, ctx.warnings);
      }
      case 'delete':
        return send(res, 200, handlers.delete(ctx, parseJson(await readBody(req))));
      case 'deletecollection':
        return send(res, 200, handlers.deleteCollection(ctx));
    }
  }

  return (req, res) => {
    const started = Date.now();
    handle(req, res)
      .catch((error: unknown) => {
        const statusError = error instanceof StatusError ? error : new StatusError(500, `Internal error: ${(error as Error).message}`, 'InternalError');
        if (statusError.code === 500) console.error(error);
        if (!res.headersSent) send(res, statusError.code, statusError.toStatus());
        else res.end();
      })
      .finally(() => log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`));
  };
}
