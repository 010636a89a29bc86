/**
 * Who may use this server, defined once: the access modes (YTCONV_ACCESS), the roles of the people
 * who may sign in, and what `GET /api/options` tells the page about both. Config, the web layer,
 * the CLI and the page read these names from here.
 */
import { z } from 'zod';

/**
 * `open`: everyone may use the page and the API (no sign-in, no key).
 * `login`: the page and the API need a signed-in person.
 * `apikey`: the API needs an API key (`Authorization: Bearer KEY`) or a signed-in person (the
 * page's own calls); the page needs a signed-in person.
 */
export const ACCESS_MODES = ['open', 'login', 'apikey'] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

/** `admin`: the admin area, the page and the API. `user`: the page and the API only. */
export const ROLES = ['admin', 'user'] as const;
export type Role = (typeof ROLES)[number];

/** Where people sign in and out to use the page (the admin area has its own form under /admin). */
export const SIGN_IN_PATH = '/login';
export const SIGN_OUT_PATH = '/logout';

/** What the page learns from `GET /api/options`: whether it must send people to sign in first. */
export const accessSchema = z.object({
  mode: z.enum(ACCESS_MODES),
  user: z.string().nullable().describe('The signed-in person, or null.'),
  sign_in: z.string().nullable().describe('Where to sign in, when this server needs it and nobody is signed in.'),
  sign_out: z.string().nullable().describe('Where to sign out, when someone is signed in.'),
});
export type Access = z.infer<typeof accessSchema>;
