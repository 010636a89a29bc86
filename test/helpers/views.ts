/** A plausible JobView for tests of the web layer that stand in for the service. */

import type { JobView } from '../../src/jobs/types.ts';
import { DEFAULT_OPTIONS } from '../db/fixtures.ts';

export function jobView(fields: Partial<JobView> = {}): JobView {
  return {
    id: 'job1',
    status: 'queued',
    phase: null,
    progress: null,
    eta: null,
    title: null,
    duration: null,
    thumbnail: null,
    cover: null,
    error: null,
    waiting: null,
    source: { site: 'youtube', id: 'dQw4w9WgXcQ', url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' },
    options: DEFAULT_OPTIONS,
    files: [],
    created_at: new Date(0).toISOString(),
    expires_at: null,
    expired: false,
    ...fields,
  };
}
