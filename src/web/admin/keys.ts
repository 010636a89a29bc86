/**
 * GET /admin/keys (the API keys), POST /admin/keys (a new key, shown in the answer once: no
 * redirect, so it is in no address or history) and POST /admin/keys/:id/revoke.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { parseRate, RATE_EXPECTED, type Rate } from '../../config-values.ts';
import { ConvertError } from '../../errors.ts';
import type { AccessApi } from '../../jobs/access.ts';
import { formField, sessionOf } from './auth.ts';
import { sendPage } from './html.ts';
import { type KeysPage, keysPage } from './keys-page.ts';

export interface KeyRoutesDeps {
  api: AccessApi;
  /** What a new key's limit is unless changed: what one address gets (YTCONV_SUBMIT_RATE); absent: none. */
  defaultKeyRate?: Rate | null;
}

export async function keyRoutes(app: FastifyInstance, deps: KeyRoutesDeps): Promise<void> {
  const rateText = rateAsText(deps.defaultKeyRate ?? null);
  const render = async (
    reply: FastifyReply,
    status: number,
    page: Omit<KeysPage, 'keys' | 'rateText'> & { rateText?: string },
  ) => sendPage(reply, status, keysPage({ rateText, ...page, keys: await deps.api.listKeys() }));

  app.get('/keys', async (request, reply) => {
    const revoked = (request.query as Record<string, unknown>).revoked;
    const message =
      typeof revoked === 'string' ? { kind: 'notice' as const, text: `Revoked the key ${revoked}.` } : undefined;
    return render(reply, 200, { session: sessionOf(request), ...(message && { message }) });
  });

  app.post('/keys', async (request, reply) => {
    const session = sessionOf(request);
    const name = (formField(request.body, 'name') ?? '').trim();
    const typed = (formField(request.body, 'rate') ?? '').trim();
    const rate = parseRate(typed);
    try {
      if (rate === null) throw new ConvertError('invalid_option', `The limit must be ${RATE_EXPECTED}.`);
      const { key } = await deps.api.createKey(name, rate.rate);
      return render(reply, 201, { session, created: { name, key } });
    } catch (err) {
      if (!(err instanceof ConvertError) || err.status >= 500) throw err;
      return render(reply, err.status, {
        session,
        name,
        rateText: typed,
        message: { kind: 'error', text: err.message },
      });
    }
  });

  app.post('/keys/:id/revoke', async (request, reply) => {
    const { id } = request.params as { id: string };
    if (await deps.api.revokeKey({ id }))
      return reply.redirect(`/admin/keys?${new URLSearchParams({ revoked: id })}`, 303);
    const message = { kind: 'error' as const, text: 'There is no such key in use (any more).' };
    return render(reply, 404, { session: sessionOf(request), message });
  });
}

/** A rate as the form (and YTCONV_SUBMIT_RATE) write it: `30/60s`, or `none`. */
function rateAsText(rate: Rate | null): string {
  return rate === null ? 'none' : `${rate.max}/${rate.windowSec}s`;
}
