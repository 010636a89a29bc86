/** `GET /api/health`: liveness for load balancers and monitors; never rate limited, never cached. */
import type { FastifyInstance } from 'fastify';
import type { Health } from '../../jobs/health.ts';

export interface HealthRoutesOptions {
  health: () => Promise<Health>;
}

export async function healthRoutes(app: FastifyInstance, opts: HealthRoutesOptions): Promise<void> {
  app.get(
    '/api/health',
    {
      schema: {
        summary: 'Whether the web process, Redis and the database answer',
        operationId: 'getHealth',
        tags: ['service'],
        response: {
          200: { description: 'Everything answers.', $ref: 'Health#' },
          503: { description: 'A part does not answer; `checks` says which.', $ref: 'Health#' },
        },
      },
    },
    async (_request, reply) => {
      const health = await opts.health();
      return reply
        .code(health.status === 'ok' ? 200 : 503)
        .header('cache-control', 'no-store')
        .send(health);
    },
  );
}
