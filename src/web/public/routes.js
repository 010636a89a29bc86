/** The page's addresses: which page a path shows, and a job's path. Pure, so it is unit-tested. */

/** @typedef {{ page: 'job', id: string } | { page: 'jobs' } | { page: 'home' } | { page: 'missing' }} Route */

/**
 * @param {string} pathname
 * @returns {Route}
 */
export function matchRoute(pathname) {
  const jobMatch = /^\/jobs\/([^/]+)\/?$/.exec(pathname);
  if (jobMatch?.[1]) return { page: 'job', id: decodeURIComponent(jobMatch[1]) };
  if (/^\/jobs\/?$/.test(pathname)) return { page: 'jobs' };
  return pathname === '/' ? { page: 'home' } : { page: 'missing' };
}

/**
 * Jobs started together, on one page whose address names them all (it survives a reload).
 * @param {readonly string[]} ids
 */
export function jobsPath(ids) {
  return `/jobs?ids=${ids.map(encodeURIComponent).join(',')}`;
}

/** @param {string} id */
export function jobPath(id) {
  return `/jobs/${encodeURIComponent(id)}`;
}
