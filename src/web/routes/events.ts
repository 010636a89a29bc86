/** `GET /api/jobs/:id/events`: a job's changes as Server-Sent Events, for live pages. */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { JobsApi } from '../../jobs/types.ts';
import { errorResponses } from '../error-responses.ts';
import { jobNotFound } from '../errors.ts';
import { followJob } from '../job-events.ts';
import { jobParams } from '../schemas.ts';

const HEARTBEAT_MS = 15_000;

export async function eventRoutes(app: FastifyInstance, opts: { jobs: JobsApi }): Promise<void> {
  // Open streams never end on their own before their job does, and would hold app.close() open.
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });

  app.get<{ Params: { id: string } }>(
    '/api/jobs/:id/events',
    {
      schema: {
        operationId: 'followJob',
        summary: 'Follow a job live (Server-Sent Events)',
        description:
          'Each `job` event carries the JobView as JSON: one at once, then one per change. The stream ends after ' +
          'a final status (done, failed, cancelled); close the EventSource then, or it reconnects. ' +
          'A `: ping` comment every 15 s keeps the connection open.',
        tags: ['jobs'],
        params: jobParams,
        response: {
          200: { description: 'An event stream.', content: { 'text/event-stream': { schema: { type: 'string' } } } },
          ...errorResponses('not_found'),
        },
      },
    },
    async (request, reply) => {
      const initial = (await opts.jobs.get(request.params.id)) ?? jobNotFound();
      reply.hijack();
      const res = reply.raw;
      reply.headers({
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        // nginx would otherwise buffer the stream and deliver progress in lumps.
        'x-accel-buffering': 'no',
      });
      // After hijack Fastify sends nothing itself, so the headers set so far go out by hand.
      res.writeHead(200, reply.getHeaders() as OutgoingHttpHeaders);
      open.add(res);
      const stop = followJob({
        jobs: opts.jobs,
        initial,
        heartbeatMs: HEARTBEAT_MS,
        send: (json) => res.write(`event: job\ndata: ${json}\n\n`),
        ping: () => res.write(': ping\n\n'),
        end: () => res.end(),
        onError: (err) => request.log.error({ err }, 'event stream: reading the job failed'),
      });
      res.on('close', () => {
        open.delete(res);
        stop();
      });
    },
  );
}
