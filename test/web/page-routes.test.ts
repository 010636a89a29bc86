import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jobPath, jobsPath, matchRoute } from '../../src/web/public/routes.js';

describe('the page’s routes', () => {
  const cases: [string, ReturnType<typeof matchRoute>][] = [
    ['/', { page: 'home' }],
    ['/jobs/abc123', { page: 'job', id: 'abc123' }],
    ['/jobs/abc123/', { page: 'job', id: 'abc123' }],
    ['/jobs/a%20b', { page: 'job', id: 'a b' }],
    ['/jobs', { page: 'jobs' }],
    ['/jobs/', { page: 'jobs' }],
    ['/jobs/abc/zip', { page: 'missing' }],
    ['/elsewhere', { page: 'missing' }],
  ];
  for (const [path, expected] of cases) {
    it(`shows ${expected.page} for ${path}`, () => assert.deepEqual(matchRoute(path), expected));
  }

  it('makes a job’s path that matches back to its id', () => {
    const id = 'odd/id ?';
    assert.equal(jobPath(id), '/jobs/odd%2Fid%20%3F');
    assert.deepEqual(matchRoute(jobPath(id)), { page: 'job', id });
  });

  it('names jobs started together in one address', () => {
    const path = jobsPath(['a1', 'b,2']);
    assert.equal(path, '/jobs?ids=a1,b%2C2');
    const url = new URL(path, 'http://x');
    assert.deepEqual(matchRoute(url.pathname), { page: 'jobs' });
  });
});
