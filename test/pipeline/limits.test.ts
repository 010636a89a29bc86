/** The limits every long child runs under, and what a person reads when one ends it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { childLimits, limitError } from '../../src/pipeline/limits.ts';
import { ToolError } from '../../src/pipeline/process.ts';

const LIMITS = { maxDurationSec: 3 * 3600, maxDownloadBytes: null, maxPlaylistEntries: 200, idleTimeoutSec: 60 };

describe('childLimits', () => {
  it('caps a child at five times the media length plus ten minutes', () => {
    assert.deepEqual(childLimits(LIMITS, 240), { timeoutMs: (5 * 240 + 600) * 1000, idleTimeoutMs: 60_000 });
  });

  it('falls back on the longest media accepted when the length is unknown', () => {
    assert.equal(childLimits(LIMITS, null).timeoutMs, (5 * 3 * 3600 + 600) * 1000);
  });
});

describe('limitError', () => {
  const limits = { timeoutMs: 1_800_000, idleTimeoutMs: 60_000 };
  const stalled = new ToolError('yt-dlp', { signal: 'SIGTERM', stalled: true });
  const timedOut = new ToolError('ffmpeg', { signal: 'SIGTERM', timedOut: true });

  it('blames the site for a quiet or endless download', () => {
    assert.deepEqual(limitError(stalled, 'download', limits)?.toJSON(), {
      code: 'network',
      message: 'The site stopped sending data for 1 min.',
    });
    assert.deepEqual(limitError(timedOut, 'download', limits)?.toJSON(), {
      code: 'network',
      message: 'The download took longer than 30 min, the most this server allows for media of this length.',
    });
  });

  it('blames ytconv for a quiet or endless encode', () => {
    assert.equal(limitError(stalled, 'convert', limits)?.code, 'internal');
    assert.match(limitError(timedOut, 'convert', limits)?.message ?? '', /^Converting took longer than 30 min/);
  });

  it('leaves every other failure to the tool’s own translation', () => {
    assert.equal(limitError(new ToolError('ffmpeg', { exitCode: 1 }), 'convert', limits), null);
    assert.equal(limitError(new Error('boom'), 'download', limits), null);
  });
});
