/**
 * What ytconv takes for an email address, wherever one is given: a requester's (jobs/request.ts)
 * and the operator's (YTCONV_OPERATOR_EMAIL). Deliberately loose: one `@`, a dot in the domain, no
 * spaces; the mail server is the judge of the rest.
 */
export function isEmailAddress(text: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text);
}
