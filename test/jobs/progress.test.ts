import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heldProgress } from '../../src/jobs/progress.ts';
import type { Progress } from '../../src/pipeline/types.ts';

describe('heldProgress', () => {
  const report = (fraction: number, phase: Progress['phase'] = 'downloading'): Progress => ({
    phase,
    fraction,
    eta: 30,
  });

  it('shows a first take’s own progress', () => {
    assert.deepEqual(heldProgress(report(0.2), 0), { phase: 'downloading', progress: 0.2, eta: 30 });
  });

  it('holds what an earlier take reached while a retake catches up, named resuming, with the retake’s ETA', () => {
    const shown = [0, 0.1, 0.3, 0.45, 0.5, 0.8].map((f) => heldProgress(report(f), 0.45));
    assert.deepEqual(
      shown.map((u) => [u.phase, u.progress]),
      [
        ['resuming', 0.45],
        ['resuming', 0.45],
        ['resuming', 0.45],
        ['downloading', 0.45],
        ['downloading', 0.5],
        ['downloading', 0.8],
      ],
    );
    assert.ok(shown.every((u) => u.eta === 30));
  });
});
