import { json } from '@/lib/http/responses';
import { route } from '@/lib/http/route';
import { EVENT_STREAM_HEADERS, liveEventStream, liveStreamsStopping } from '@/lib/live/event-stream';
import { readTopic } from '@/lib/live/reads';
import { takeStreamSlot } from '@/lib/live/stream-slots';
import { topicsQuery } from '@/lib/live/topics-query';

export const dynamic = 'force-dynamic';

/**
 * Live updates for one browser tab (`?topics=traffic:shop,traffic-live:shop,emergencies&refresh=10`):
 * each topic's payload as its GET route answers it for this person, pushed whenever a watch cache
 * behind it changes, and the Prometheus topics every `refresh` seconds (default 10; 0: once).
 */
export const GET = route({ auth: 'read', query: topicsQuery }, ({ request, user, query }) => {
  // A stopping replica takes no new streams, and closes the connection so the browser's next try
  // reaches a replica that stays (a kept-alive connection would hold this one open).
  if (liveStreamsStopping())
    return json({ error: { message: 'This Meshdeck replica is shutting down; live updates reconnect to another one.' } }, 503, {
      connection: 'close',
      'retry-after': '1',
    });
  const release = takeStreamSlot(user!.email ?? user!.name);
  const stream = liveEventStream(query.topics, (topic) => readTopic(user!, topic), request.signal, { refreshSeconds: query.refresh, onStop: release });
  return new Response(stream, { headers: EVENT_STREAM_HEADERS });
});
