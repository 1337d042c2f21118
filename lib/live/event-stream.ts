// The live-updates stream of one browser tab: for each topic, its payload whenever a watch cache
// it was read from changes, as server-sent events. Each payload is the matching GET route's answer
// for the same person (lib/live/reads), so the page's cache entry is simply replaced by it.
import { readRecordingCaches, type ChangeSource } from '@/lib/k8s/caches';
import { errorResponse, withArrays, type ErrorBody } from '@/lib/http/responses';
import { isMetricsTopic, keyOfTopic, topicName, type Topic } from './topics';

export interface LiveStreamOptions {
  /** Changes within this window after the first are pushed as one payload (Prometheus topics: at least METRICS_COALESCE_MS). */
  coalesceMs?: number;
  /** A comment this often keeps proxies and the browser from calling the connection dead. */
  heartbeatMs?: number;
  /** How often the Prometheus topics are read again, in seconds; 0: once, when the stream opens. */
  refreshSeconds?: number;
  /**
   * How often a topic is read again besides on cache changes (undefined: never): Prometheus numbers
   * at the refresh, and a few views that depend on more than the caches (the cluster answering,
   * the revert lease, RBAC reviews). Nothing is sent unless the payload changed.
   */
  recheckMs?: (topic: Topic, refreshSeconds: number) => number | undefined;
  /** Runs when the stream ends, however it ends (the reader left, the lifetime ran out). */
  onStop?: () => void;
  /** The stream ends after this long (`event: reconnect`); the page opens it again, signing the person in again. */
  lifetimeMs?: number;
}

const DEFAULTS = {
  coalesceMs: 200,
  heartbeatMs: 15_000,
  refreshSeconds: 10,
  recheckMs: (topic: Topic, refreshSeconds: number) =>
    isMetricsTopic(topic) ? (refreshSeconds > 0 ? refreshSeconds * 1000 : undefined) : (QUICK_RECHECK_MS[topic.kind] ?? 60_000),
  lifetimeMs: 10 * 60_000,
  onStop: () => {},
} satisfies Required<LiveStreamOptions>;

// A Prometheus topic that also reads caches (the Overview's counts) asks Prometheus at most this often for their changes.
const METRICS_COALESCE_MS = 2000;

// Views whose state outside the caches changes on its own: the cluster answering, the revert lease, entries waiting to be stored.
// Whether the automatic revert is armed is what an on-call person checks before an emergency: within 3 s, as it was polled.
// The rollouts' list says whether the rollout controller is armed (its Lease, not a cache).
const QUICK_RECHECK_MS: Partial<Record<Topic['kind'], number>> = { emergencies: 3_000, cluster: 15_000, audit: 15_000, rollouts: 15_000 };

// How long the browser waits before reconnecting after the stream ends or drops.
const RETRY_MS = 2000;

const encoder = new TextEncoder();
const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** What a topic sends when its read fails: the status and message the GET would answer with. */
async function failure(key: readonly unknown[], error: unknown) {
  const body = (await errorResponse(error).json()) as ErrorBody;
  return { key, status: body.error.status, message: body.error.message };
}

/**
 * Outgoing frames, at most one waiting per topic: a slow reader gets each topic's latest payload,
 * never a backlog of stale ones.
 */
class LatestPerTopic {
  private readonly waiting = new Map<string, string>();
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private closed = false;

  attach(controller: ReadableStreamDefaultController<Uint8Array>) {
    this.controller = controller;
  }

  put(topic: string, text: string) {
    if (this.closed) return;
    this.waiting.delete(topic); // re-inserted last: topics take turns
    this.waiting.set(topic, text);
    this.flush();
  }

  /** A frame that is only worth sending when nothing else is waiting (heartbeats). */
  offer(text: string) {
    if (!this.closed && this.waiting.size === 0 && (this.controller?.desiredSize ?? 0) > 0) this.controller!.enqueue(encoder.encode(text));
  }

  flush() {
    const controller = this.controller;
    if (!controller || this.closed) return;
    for (const [topic, text] of this.waiting) {
      if ((controller.desiredSize ?? 0) <= 0) return;
      this.waiting.delete(topic);
      controller.enqueue(encoder.encode(text));
    }
  }

  /** Ends the stream, after `last` if given (queued even past the reader's buffer: it is small and final). */
  close(last?: string) {
    if (this.closed) return;
    this.closed = true;
    if (last) this.controller?.enqueue(encoder.encode(last));
    this.waiting.clear();
    try {
      this.controller?.close();
    } catch {
      // already closed by the reader going away
    }
  }
}

/** One topic: reads its payload, follows the caches that read used, sends what changed. */
class TopicFeed {
  private readonly key: readonly unknown[];
  private readonly name: string;
  private readonly followed = new Map<ChangeSource, () => void>();
  private lastSent: string | undefined;
  private pending: NodeJS.Timeout | undefined;
  private reading = false;
  private readAgain = false;
  private stopped = false;
  private readonly recheck: NodeJS.Timeout | undefined;

  constructor(
    private readonly topic: Topic,
    private readonly read: (topic: Topic) => Promise<unknown>,
    private readonly out: LatestPerTopic,
    private readonly coalesceMs: number,
    recheckMs: number | undefined,
  ) {
    this.key = keyOfTopic(topic);
    this.name = topicName(topic);
    if (recheckMs !== undefined) this.recheck = setInterval(() => void this.refresh(), recheckMs);
  }

  /** A followed cache changed: read again once the burst of changes has had `coalesceMs` to settle. */
  changed = () => {
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      void this.refresh();
    }, this.coalesceMs);
  };

  async refresh(): Promise<void> {
    if (this.stopped) return;
    if (this.reading) {
      this.readAgain = true; // a change during the read: its payload may already be stale
      return;
    }
    this.reading = true;
    const used = new Set<ChangeSource>();
    let text: string;
    try {
      const data = withArrays(await readRecordingCaches(used, () => this.read(this.topic)));
      text = frame('data', { key: this.key, data });
    } catch (error) {
      text = frame('failed', await failure(this.key, error));
    }
    this.follow(used);
    this.reading = false;
    if (this.stopped) return;
    if (text !== this.lastSent) {
      this.lastSent = text;
      this.out.put(this.name, text);
    }
    if (this.readAgain) {
      this.readAgain = false;
      this.changed();
    }
  }

  /** Subscribes to the caches the last read used, and only those. */
  private follow(used: Set<ChangeSource>) {
    if (this.stopped) return;
    for (const [cache, unsubscribe] of this.followed) {
      if (!used.has(cache)) {
        unsubscribe();
        this.followed.delete(cache);
      }
    }
    for (const cache of used) if (!this.followed.has(cache)) this.followed.set(cache, cache.subscribe(this.changed));
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.pending);
    clearInterval(this.recheck);
    for (const unsubscribe of this.followed.values()) unsubscribe();
    this.followed.clear();
  }
}

/**
 * The text/event-stream body for a set of topics: every topic's payload at once, then again each
 * time it changes (`event: data`, `{ key, data }`), or `event: failed` with the status and message
 * its GET would answer; `event: reconnect` before it ends by itself (lifetimeMs). Everything stops
 * when `signal` aborts or the reader cancels.
 */
// Open streams, ended when the process is told to stop: `next start` closes its server on
// SIGTERM and waits for open connections, so a stream left open (up to lifetimeMs) would keep
// a stopping replica alive. Kept on globalThis because Next may load this module more than once.
const OPEN_STREAMS = Symbol.for('meshdeck.liveStreams');
type Registry = { stops: Set<(last?: string) => void>; stopping: boolean };
function openStreams(): Registry {
  const holder = globalThis as typeof globalThis & { [OPEN_STREAMS]?: Registry };
  if (!holder[OPEN_STREAMS]) {
    const registry: Registry = { stops: new Set(), stopping: false };
    holder[OPEN_STREAMS] = registry;
    process.once('SIGTERM', endOpenStreams);
    process.once('SIGINT', endOpenStreams);
  }
  return holder[OPEN_STREAMS];
}

/**
 * Ends every open stream with `reconnect` (the browser reconnects at once, to another replica)
 * and refuses new ones from then on: a connection busy when the server closes stays open for
 * as long as the browser keeps sending on it, and a stream reopened on it would hold the
 * stopping replica forever.
 */
export function endOpenStreams() {
  const registry = openStreams();
  registry.stopping = true;
  for (const stop of [...registry.stops]) stop(frame('reconnect', {}));
}

/** True once this process is stopping: /api/events answers 503 and closes the connection. */
export const liveStreamsStopping = () => openStreams().stopping;

/** For tests: streams are accepted again. */
export const resetLiveStreams = () => {
  openStreams().stopping = false;
};

export function liveEventStream(
  topics: Topic[],
  read: (topic: Topic) => Promise<unknown>,
  signal: AbortSignal,
  options: LiveStreamOptions = {},
): ReadableStream<Uint8Array> {
  // An option given as undefined keeps its default.
  const settings = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) };
  const out = new LatestPerTopic();
  let feeds: TopicFeed[] = [];
  const timers: NodeJS.Timeout[] = [];
  const registry = openStreams();
  const stop = (last?: string) => {
    registry.stops.delete(stop);
    for (const feed of feeds) feed.stop();
    feeds = [];
    for (const timer of timers) clearTimeout(timer);
    signal.removeEventListener('abort', abort);
    out.close(last);
    settings.onStop();
  };
  const abort = () => stop();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      out.attach(controller);
      if (signal.aborted) return stop();
      signal.addEventListener('abort', abort);
      registry.stops.add(stop);
      controller.enqueue(encoder.encode(`retry: ${RETRY_MS}\n\n`));
      feeds = topics.map(
        (topic) =>
          new TopicFeed(
            topic,
            read,
            out,
            isMetricsTopic(topic) ? Math.max(settings.coalesceMs, METRICS_COALESCE_MS) : settings.coalesceMs,
            settings.recheckMs(topic, settings.refreshSeconds),
          ),
      );
      for (const feed of feeds) void feed.refresh();
      timers.push(setInterval(() => out.offer(': heartbeat\n\n'), settings.heartbeatMs));
      // Told apart from a dropped connection, so the page reconnects at once and does not fall back to polling meanwhile.
      timers.push(setTimeout(() => stop(frame('reconnect', {})), settings.lifetimeMs));
    },
    pull() {
      out.flush();
    },
    cancel() {
      stop();
    },
  });
}

export const EVENT_STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  // no-transform: nothing on the way (Next's compression included) may hold events back to compress them.
  'cache-control': 'no-cache, no-transform',
  // nginx and ingress-nginx buffer proxied answers unless told not to.
  'x-accel-buffering': 'no',
};
