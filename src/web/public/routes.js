/** The page's addresses: which page a path shows, and a job's path. Pure, so it is unit-tested. */

/** @typedef {{ page: 'job', id: string } | { page: 'home' } | { page: 'missing' }} Route */

/**
 * @param {string} pathname
 * @returns {Route}
 */
export function matchRoute(pathname) {
  const jobMatch = /^\/jobs\/([^/]+)\/?$/.exec(pathname);
  if (jobMatch?.[1]) return { page: 'job', id: decodeURIComponent(jobMatch[1]) };
  return pathname === '/' ? { page: 'home' } : { page: 'missing' };
}

/** @param {string} id */
export function jobPath(id) {
  return `/jobs/${encodeURIComponent(id)}`;
}
