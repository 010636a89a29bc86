/**
 * POSTing a signed JSON body to a webhook: the operator's notices (YTCONV_OPERATOR_WEBHOOK) and
 * the calls when a job ends (a requester's own URL, and the instance's YTCONV_WEBHOOK_URL).
 *
 * The body is signed as Stripe signs its own: `ytconv-signature: t=<unix seconds>,v1=<hex
 * HMAC-SHA256 of "<t>.<body>">`, so a receiver can tell the body is ours and fresh (it refuses an
 * old `t`: a replay). Redirects are never followed, so an answer cannot send the body somewhere
 * else; a 3xx is a failure like any answer other than 2xx, and the caller's retries decide what then.
 *
 * A requester's URL goes through the address guard (`guard`): its name is resolved once and the
 * socket goes to exactly the address checked, as for links. The operator's URLs do not: that guard
 * keeps links from users off the server's own network, and these come from the operator, who may
 * well run the receiver on the LAN (a chat bridge, ntfy, a monitoring system), as a proxy may be.
 */
import { createHmac } from 'node:crypto';
import { type AddressPredicate, checkLiteral, guardedLookup } from './pipeline/guard.ts';

// As guard.ts: node:http through getBuiltinModule, so that importing this module loads no undici.
const { request: httpRequest } = process.getBuiltinModule('node:http');

const TIMEOUT_MS = 10_000;
const USER_AGENT = 'ytconv-webhooks/1';

const SIGNATURE_HEADER = 'ytconv-signature';
const DELIVERY_HEADER = 'ytconv-delivery';

export interface PostOptions {
  /** The HMAC-SHA256 key of the signature header. */
  signingKey: string;
  /** The same for every attempt of one delivery, so that a receiver can drop repeats. */
  deliveryId?: string;
  /** Set for a URL a requester gave: the address guard applies to it. */
  guard?: { allowPrivate: boolean; isForbidden?: AddressPredicate };
}

/** Throws unless the receiver answers 2xx in time; the caller's retries decide what then. */
export async function postJson(url: string, body: unknown, opts: PostOptions): Promise<void> {
  const target = new URL(url);
  const raw = JSON.stringify(body);
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(raw)),
    'user-agent': USER_AGENT,
    [SIGNATURE_HEADER]: signature(opts.signingKey, Math.floor(Date.now() / 1000), raw),
    ...(opts.deliveryId !== undefined && { [DELIVERY_HEADER]: opts.deliveryId }),
  };
  const { guard } = opts;
  if (guard) checkLiteral(target.hostname, guard.allowPrivate, guard.isForbidden);
  const status = await send(target, headers, raw, guard && guardedLookup(guard.allowPrivate, guard.isForbidden));
  if (status < 200 || status >= 300) {
    const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
    throw new Error(`the webhook at ${target.host} answered HTTP ${status}${redirect}`);
  }
}

/** The signature header's value for a body sent at `t` (Unix seconds). */
function signature(key: string, t: number, raw: string): string {
  return `t=${t},v1=${createHmac('sha256', key).update(`${t}.${raw}`).digest('hex')}`;
}

function send(
  target: URL,
  headers: Record<string, string>,
  raw: string,
  lookup: ReturnType<typeof guardedLookup> | undefined,
): Promise<number> {
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return Promise.reject(new Error(`a webhook must be an http(s) URL, not ${target.protocol}`));
  }
  const request = target.protocol === 'https:' ? process.getBuiltinModule('node:https').request : httpRequest;
  return new Promise((resolve, reject) => {
    // agent: false, because a pooled socket may have been opened under a laxer policy.
    const req = request(
      target,
      { method: 'POST', headers, agent: false, signal: AbortSignal.timeout(TIMEOUT_MS), ...(lookup && { lookup }) },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(raw);
  });
}
