// /api/events' query string: `?topics=traffic:shop,emergencies&refresh=30`.
import { z } from 'zod';
import { MAX_REFRESH_SECONDS, MAX_TOPICS, parseTopic, TOPIC_HELP, type Topic } from './topics';

const topicSchema = z.string().transform((text, context): Topic => {
  const topic = parseTopic(text);
  if (typeof topic !== 'string') return topic;
  context.addIssue({ code: 'custom', message: topic });
  return z.NEVER;
});

/** A comma-separated list of topics, duplicates dropped; the Prometheus topics' refresh in seconds (0: once). */
export const topicsQuery = z.object({
  topics: z
    .string({ error: `topics is required: ${TOPIC_HELP}` })
    .transform((list) => [...new Set(list.split(',').filter(Boolean))])
    .pipe(z.array(topicSchema).min(1, `name at least one topic: ${TOPIC_HELP}`).max(MAX_TOPICS, `at most ${MAX_TOPICS} topics on one connection`)),
  refresh: z
    .string()
    .regex(/^\d{1,4}$/, 'refresh is a whole number of seconds')
    .transform(Number)
    .pipe(z.number().max(MAX_REFRESH_SECONDS, `refresh is at most ${MAX_REFRESH_SECONDS} seconds`))
    .optional(),
});
