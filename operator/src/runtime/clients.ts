// The API clients every part of the operator shares. Each request is reported (verb and resource) for the
// api-requests metric, and writes pass a fence that only the leader holds open, so a leader that has lost
// its lease cannot write even from a reconcile that was already running. The fence is checked against the
// clock on every write, not shut by a timer: after an event-loop stall the writes queued behind it run before
// any timer does, and must find the fence closed if the lease ran out meanwhile.
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  KubernetesObjectApi,
  type Middleware,
  type RequestContext,
  ServerConfiguration,
  createConfiguration,
} from '@kubernetes/client-node';
import { type Clock, realClock } from './clock.js';
import { shareConnections } from './connections.js';
import type { TokenBucket } from './token-bucket.js';

export interface ApiClients {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
  coordination: CoordinationV1Api;
  /** Any object by its apiVersion and kind: server-side apply of children. */
  objects: KubernetesObjectApi;
}

/** Called once per request sent, before it goes out. */
export type RequestObserver = (verb: string, resource: string) => void;

/** Thrown instead of sending a write while the fence is closed. */
export class WritesFencedError extends Error {
  constructor(what: string) {
    super(`refusing ${what}: this replica does not hold the leader lease`);
    this.name = 'WritesFencedError';
  }
}

/**
 * Open: writes go out. Closed: every create, update, patch and delete fails before it is sent. Opened for
 * good without leader election; by the leader until a time on the monotonic clock, which each renewal of
 * the lease moves on.
 */
export class WriteFence {
  private openUntil: number;

  constructor(
    open = true,
    private readonly clock: Pick<Clock, 'monotonic'> = realClock,
  ) {
    this.openUntil = open ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  get isOpen(): boolean {
    return this.clock.monotonic() < this.openUntil;
  }

  /** Opens until `until` (`clock.monotonic()` time), for good when absent. */
  open(until = Number.POSITIVE_INFINITY): void {
    this.openUntil = until;
  }

  close(): void {
    this.openUntil = Number.NEGATIVE_INFINITY;
  }
}

/** The HTTP status of a client-node ApiException or a watch error, if it has one. */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'number') return code;
  if (typeof statusCode === 'number') return statusCode;
  return undefined;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The Kubernetes verb and resource of a request URL, as the API server's audit log names them:
 * `list pods`, `patch replicasets.apps`, `patch tasks.ecs.operator.dev/status`, `get ''` for discovery.
 */
export function describeRequest(method: string, url: string): { verb: string; resource: string } {
  const { pathname, searchParams } = new URL(url, 'http://localhost');
  const segments = pathname.split('/').filter(Boolean);
  // /api/v1/... (core) or /apis/<group>/<version>/...
  const group = segments[0] === 'apis' ? (segments[1] ?? '') : '';
  let rest = segments.slice(segments[0] === 'apis' ? 3 : 2);
  if (rest[0] === 'namespaces' && rest.length > 2) rest = rest.slice(2);
  const [plural = '', name, subresource] = rest;
  const resource = `${plural}${group && plural ? `.${group}` : ''}${subresource ? `/${subresource}` : ''}`;
  const verb = verbOf(method.toUpperCase(), name !== undefined, searchParams.get('watch') === 'true');
  return { verb, resource };
}

function verbOf(method: string, named: boolean, watch: boolean): string {
  switch (method) {
    case 'GET':
      return named ? 'get' : watch ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

function observingMiddleware({ onRequest, fence, rateLimit }: ApiClientOptions): Middleware {
  return {
    async pre(context: RequestContext): Promise<RequestContext> {
      const method: string = context.getHttpMethod();
      const { verb, resource } = describeRequest(method, context.getUrl());
      // Watches are long-lived and few; client-go does not count them against the rate either.
      if (rateLimit && verb !== 'watch') await rateLimit.take();
      // Checked after the wait: the lease may have run out while the request queued.
      if (fence && !fence.isOpen && !READ_METHODS.has(method.toUpperCase())) {
        throw new WritesFencedError(`${verb} ${resource}`);
      }
      onRequest?.(verb, resource);
      return context;
    },
    post: async (response) => response,
  };
}

export interface ApiClientOptions {
  onRequest?: RequestObserver;
  /** Omit for clients that must write whoever leads (the leader election's own lease). */
  fence?: WriteFence;
  /** Each request but watches waits for a token. Omit for the lease's client, whose renewals must not queue behind reconciles. */
  rateLimit?: TokenBucket;
}

/**
 * Clients with the credentials of `kc`, reporting requests to `onRequest`, sending them at the pace of
 * `rateLimit` and writing only through `fence`.
 */
export function makeApiClients(kc: KubeConfig, options: ApiClientOptions = {}): ApiClients {
  shareConnections(kc);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const configuration = () =>
    createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kc },
      promiseMiddleware: [observingMiddleware(options)],
    });
  return {
    kc,
    core: new CoreV1Api(configuration()),
    apps: new AppsV1Api(configuration()),
    custom: new CustomObjectsApi(configuration()),
    coordination: new CoordinationV1Api(configuration()),
    objects: new KubernetesObjectApi(configuration()),
  };
}
