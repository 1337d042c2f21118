// Leader election on a coordination.k8s.io Lease, as client-go's leaderelection does it:
// the holder renews every tick; anyone may take a lease whose renewTime is older than its
// duration. Every failure is kept with a person-readable cause, so callers can say loudly
// why nobody leads instead of assuming "someone else did it".
import { toApiError, type ApiError } from './errors';
import { kubeRequest } from './http';
import { collectionPath, leases, objectPath } from './resources';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  renewTime?: string;
  acquireTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: LeaseSpec;
}

/** What one replica last saw of the Lease, and whether it leads. */
export interface LeaseObservation {
  namespace: string;
  name: string;
  identity: string;
  /** This replica competes for the lease (false: it only watches who holds it). */
  competing: boolean;
  leading: boolean;
  /** The holder when the lease is held and fresh. */
  holder?: string;
  expiresAt?: string;
  /** When the last successful read or write of the Lease happened. */
  observedAt?: string;
  /** Why the last attempt failed, e.g. `namespace meshdeck does not exist`. */
  error?: string;
}

const microTime = (date: Date) => date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** The moment a lease stops being fresh, or undefined when nobody holds it. */
export function leaseExpiry(spec: LeaseSpec, defaultSeconds: number): number | undefined {
  if (!spec.holderIdentity || !spec.renewTime) return undefined;
  return Date.parse(spec.renewTime) + (spec.leaseDurationSeconds ?? defaultSeconds) * 1000;
}

/** Whether `identity` may take or renew the lease at `now` (pure). */
export function shouldTake(spec: LeaseSpec, identity: string, now: number, defaultSeconds = 15): boolean {
  if (!spec.holderIdentity || spec.holderIdentity === identity) return true;
  return (leaseExpiry(spec, defaultSeconds) ?? 0) < now;
}

/**
 * A cause a person can act on, from the API's Status (never its message text): the
 * missing namespace, the missing permission, or the unreachable API.
 */
export function leaseFailureCause(error: ApiError, verb: string, namespace: string): string {
  const details = error.details as { kind?: string; name?: string } | undefined;
  if (error.status === 404 && details?.kind === 'namespaces') return `namespace ${namespace} does not exist`;
  if (error.status === 403) return `the dashboard may not ${verb} leases in namespace ${namespace} (${error.message})`;
  return error.message;
}

export interface LeaseElectorOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseSeconds?: number;
  /** Only watch the lease; never take it (a replica with its background work turned off). */
  observeOnly?: boolean;
  /** Called once per distinct failure cause, and once when it clears. */
  log?: (message: string) => void;
}

/** One replica's side of the election. Call `tick()` every few seconds. */
export class LeaseElector {
  readonly leaseSeconds: number;
  private observation: LeaseObservation;
  private lastLogged = '';

  constructor(private readonly options: LeaseElectorOptions) {
    this.leaseSeconds = options.leaseSeconds ?? 15;
    this.observation = { namespace: options.namespace, name: options.name, identity: options.identity, competing: !options.observeOnly, leading: false };
  }

  status(): LeaseObservation {
    return { ...this.observation };
  }

  /** Reads the lease and takes or renews it when allowed; true while this replica leads. */
  async tick(now = new Date()): Promise<boolean> {
    try {
      const leading = await this.attempt(now);
      this.settle({ leading, error: undefined, observedAt: now.toISOString() });
      return leading;
    } catch (error) {
      this.settle({ leading: false, holder: undefined, expiresAt: undefined, error: (error as Error).message });
      return false;
    }
  }

  /** Gives the lease up (on shutdown), so another replica takes over at once instead of after it expires. */
  async release(): Promise<void> {
    if (!this.observation.leading) return;
    const { namespace, name } = this.options;
    try {
      const lease = await kubeRequest<Lease>({ path: objectPath(leases, namespace, name), timeoutMs: 2000 });
      if (lease.spec.holderIdentity !== this.options.identity) return;
      await kubeRequest({ method: 'PUT', path: objectPath(leases, namespace, name), timeoutMs: 2000, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: lease.metadata, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(new Date()) } } });
    } catch (error) {
      this.log(`could not release Lease ${namespace}/${name}: ${toApiError(error).message}`);
    } finally {
      this.observation = { ...this.observation, leading: false, holder: undefined };
    }
  }

  private settle(update: Partial<LeaseObservation>): void {
    this.observation = { ...this.observation, ...update };
    const { error } = this.observation;
    const message = error ? `Lease ${this.options.namespace}/${this.options.name}: ${error}` : '';
    if (message !== this.lastLogged) {
      this.log(message || `Lease ${this.options.namespace}/${this.options.name}: working again`);
      this.lastLogged = message;
    }
  }

  private log(message: string): void {
    (this.options.log ?? ((m: string) => console.warn(`[lease] ${m}`)))(message);
  }

  private observe(spec: LeaseSpec, now: Date): void {
    const expiry = leaseExpiry(spec, this.leaseSeconds);
    const fresh = expiry !== undefined && expiry > now.getTime();
    this.observation = { ...this.observation, holder: fresh ? spec.holderIdentity : undefined, expiresAt: fresh ? new Date(expiry).toISOString() : undefined };
  }

  private async attempt(now: Date): Promise<boolean> {
    const { namespace, name, identity, observeOnly } = this.options;
    const path = objectPath(leases, namespace, name);
    let lease: Lease | undefined;
    try {
      lease = await kubeRequest<Lease>({ path });
    } catch (error) {
      const apiError = toApiError(error);
      // A missing Lease is a 404 naming the lease; a missing namespace only shows on create.
      if (apiError.status !== 404) throw new Error(leaseFailureCause(apiError, 'read', namespace));
    }
    if (!lease) {
      this.observe({}, now);
      if (observeOnly) return false;
      const spec: LeaseSpec = { holderIdentity: identity, leaseDurationSeconds: this.leaseSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 };
      try {
        await kubeRequest({ method: 'POST', path: collectionPath(leases, namespace), body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec } });
      } catch (error) {
        const apiError = toApiError(error);
        // AlreadyExists: another replica created it between our read and write; the next tick reads it.
        if (apiError.status === 409 && apiError.reason === 'AlreadyExists') return false;
        throw new Error(leaseFailureCause(apiError, 'create', namespace));
      }
      this.observe(spec, now);
      return true;
    }
    this.observe(lease.spec, now);
    if (observeOnly || !shouldTake(lease.spec, identity, now.getTime(), this.leaseSeconds)) return false;
    const takeover = lease.spec.holderIdentity !== identity;
    const spec: LeaseSpec = { ...lease.spec, holderIdentity: identity, leaseDurationSeconds: this.leaseSeconds, renewTime: microTime(now), ...(takeover ? { acquireTime: microTime(now), leaseTransitions: (lease.spec.leaseTransitions ?? 0) + 1 } : {}) };
    try {
      await kubeRequest({ method: 'PUT', path, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: lease.metadata, spec } });
    } catch (error) {
      const apiError = toApiError(error);
      // Conflict: someone renewed or took it since our read; the next tick sees who.
      if (apiError.status === 409) return false;
      throw new Error(leaseFailureCause(apiError, 'update', namespace));
    }
    this.observe(spec, now);
    return true;
  }
}

/** Whether a replica will do the leader's work, as pages and /api/readyz say it. */
export interface LeaderArming {
  armed: boolean;
  /** The replica holding the Lease, when one does. */
  holder?: string;
  /** This replica's identity. */
  replica: string;
  /** `namespace/name` of the Lease. */
  lease: string;
  /** Why it is not armed, e.g. "namespace meshdeck does not exist". */
  reason?: string;
}

/** One kind of background work the Lease's holder does each tick, with its own error state. */
export interface LeaderWork {
  /** Names the work in logs and in arming, e.g. `rollout-controller`. */
  name: string;
  run: () => Promise<void>;
}

export interface LeaderLoopOptions extends Omit<LeaseElectorOptions, 'log'> {
  /** Names the loop in logs, e.g. `emergency-reconciler`. */
  label: string;
  tickMs?: number;
  /** A single work (named after the label); a failure leaves the loop running and disarms it until the next round works. */
  work?: () => Promise<void>;
  /**
   * Several works sharing the Lease, each isolated: one failing neither stops the others nor
   * disarms them. The holder runs them all (a replica that must not run one only observes).
   */
  works?: LeaderWork[];
}

/**
 * Background work that one replica does at a time: every tick, take or renew the Lease and,
 * while leading, run each work. It knows at all times whether each work is armed, and why not.
 */
export class LeaderLoop {
  readonly elector: LeaseElector;
  private readonly works: LeaderWork[];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<Promise<void>[]> | undefined;
  private firstTick: Promise<void> | undefined;
  /** Each work's round still running (a work never runs twice at once). */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly workErrors = new Map<string, string>();
  private readonly lastLogged = new Map<string, string>();

  constructor(private readonly options: LeaderLoopOptions) {
    this.works = [...(options.work ? [{ name: options.label, run: options.work }] : []), ...(options.works ?? [])];
    this.elector = new LeaseElector({ ...options, log: (message) => console.warn(`[${options.label}] ${message}`) });
  }

  start(): this {
    this.firstTick ??= this.tick();
    this.timer ??= setInterval(() => void this.tick(), this.options.tickMs ?? 2000);
    this.timer.unref();
    return this;
  }

  /** Stops ticking (after the rounds in flight end); `release` gives the Lease up so another replica takes over at once. */
  async stop({ release = true } = {}): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await Promise.all(this.inFlight.values());
    if (release) await this.elector.release();
  }

  /**
   * One round: take or renew the Lease, then, while leading, start each work whose previous
   * round has ended. Works run side by side, each caught on its own: a slow one (Prometheus not
   * answering) skips ticks without holding the others or the Lease's renewal back, a failing
   * one stops no other. Resolves when the rounds it started have ended.
   */
  async tick(): Promise<void> {
    this.running ??= (async () => {
      try {
        if (!(await this.elector.tick())) return [];
        return this.works.filter((work) => !this.inFlight.has(work.name)).map((work) => this.startRound(work));
      } finally {
        this.running = undefined;
      }
    })();
    await Promise.all(await this.running);
  }

  private startRound(work: LeaderWork): Promise<void> {
    const round = this.runWork(work).finally(() => this.inFlight.delete(work.name));
    this.inFlight.set(work.name, round);
    return round;
  }

  /**
   * Armed when some replica holds a fresh Lease, and (if it is this one) the work's last round
   * worked. `work` defaults to the first work.
   */
  async arming(work = this.works[0]?.name ?? this.options.label): Promise<LeaderArming> {
    await this.firstTick;
    const seen = this.elector.status();
    const base = { replica: seen.identity, lease: `${seen.namespace}/${seen.name}`, holder: seen.holder };
    const carried = this.works.find((w) => w.name === work);
    if (!carried) return { ...base, armed: false, reason: `this replica's leader loop was started without the ${work}` };
    if (seen.error) return { ...base, armed: false, reason: seen.error };
    const failure = this.workErrors.get(work);
    if (seen.leading && failure) return { ...base, armed: false, reason: `the leading replica fails: ${failure}` };
    if (seen.holder && Date.parse(seen.expiresAt ?? '') > Date.now()) return { ...base, armed: true };
    return {
      ...base,
      armed: false,
      reason: seen.competing ? `no replica holds the Lease ${base.lease} yet` : `no replica holds the Lease ${base.lease}, and this replica only watches it`,
    };
  }

  private async runWork(work: LeaderWork): Promise<void> {
    try {
      await work.run();
      this.reportWorkError(work.name, undefined);
    } catch (error) {
      this.reportWorkError(work.name, toApiError(error).message);
    }
  }

  private reportWorkError(work: string, message: string | undefined): void {
    if (message) this.workErrors.set(work, message);
    else this.workErrors.delete(work);
    if ((message ?? '') === (this.lastLogged.get(work) ?? '')) return;
    const prefix = work === this.options.label ? '' : `${work}: `;
    console.warn(`[${this.options.label}] ${prefix}${message ? `round failed: ${message}` : 'rounds work again'}`);
    this.lastLogged.set(work, message ?? '');
  }
}
