/**
 * Sessions with no server-side state, for the admin area and (YTCONV_ACCESS=login or apikey) the
 * page and the API alike, so one sign-in serves both: the cookie is `base64url(username).expiry.signature`,
 * the signature an HMAC-SHA256 under SECRET_KEY of `username|expiry`. The CSRF token is another
 * HMAC of the whole cookie value: fixed for one session, unknown to other sites, stored nowhere.
 * Logging out clears the cookie; a copied cookie stays valid until it expires, so sessions are short.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'ytconv_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface Session {
  username: string;
  /** Milliseconds since the epoch. */
  expires: number;
  /** The token every form of this session carries in its `_csrf` field. */
  csrf: string;
}

/** Separate labels keep a signature from ever being accepted as a CSRF token, or the reverse. */
function mac(secret: string, label: 'session' | 'csrf', data: string): string {
  return createHmac('sha256', secret).update(`${label}\0${data}`).digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function newSessionValue(secret: string, username: string, now = Date.now()): string {
  const expires = now + SESSION_TTL_MS;
  const signature = mac(secret, 'session', `${username}|${expires}`);
  return `${Buffer.from(username).toString('base64url')}.${expires}.${signature}`;
}

/** The session in a Cookie header, or null when there is none, it is forged or it has expired. */
export function readSession(secret: string, cookieHeader: string | undefined, now = Date.now()): Session | null {
  const value = cookieValue(cookieHeader, SESSION_COOKIE);
  const [name, expiry, signature, ...rest] = value?.split('.') ?? [];
  if (value === undefined || name === undefined || signature === undefined || rest.length > 0) return null;
  if (!expiry || !/^\d+$/.test(expiry) || Number(expiry) <= now) return null;
  const username = Buffer.from(name, 'base64url').toString();
  if (!sameText(signature, mac(secret, 'session', `${username}|${expiry}`))) return null;
  return { username, expires: Number(expiry), csrf: mac(secret, 'csrf', value) };
}

export function csrfMatches(session: Session, token: unknown): boolean {
  return typeof token === 'string' && sameText(token, session.csrf);
}

/** Set-Cookie for a new session; Secure only when the site is served over HTTPS. */
export function sessionCookie(value: string, secure: boolean): string {
  return cookie(value, SESSION_TTL_MS / 1000, secure);
}

export function clearedCookie(secure: boolean): string {
  return cookie('', 0, secure);
}

function cookie(value: string, maxAgeSec: number, secure: boolean): string {
  const attributes = [`Max-Age=${maxAgeSec}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])];
  return [`${SESSION_COOKIE}=${value}`, ...attributes].join('; ');
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
