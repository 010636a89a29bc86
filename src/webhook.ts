/**
 * POSTing a small JSON body to a URL the operator configured (YTCONV_OPERATOR_WEBHOOK). Not
 * behind the address guard: that guard keeps links from users off the server's own network,
 * and this address comes from the operator, who may well run the receiver on the LAN (a chat
 * bridge, ntfy, a monitoring system), as a proxy may be. Redirects are not followed, so an
 * answer cannot send the body somewhere the operator did not name.
 */
const TIMEOUT_MS = 10_000;

/** Throws unless the receiver answers 2xx in time; the caller's retries decide what then. */
export async function postJson(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'ytconv' },
    body: JSON.stringify(body),
    redirect: 'error',
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`the operator webhook answered HTTP ${res.status}`);
}
