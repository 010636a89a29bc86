/**
 * Retention through the real stack: the worker process's scheduled expiry deletes a done job's
 * files once YTCONV_RETENTION has passed, and the web process then says they expired.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type Service, startService } from '../helpers/processes.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
let service: Service;

before(async () => {
  stack = await startStack({ YTCONV_RETENTION: '2s', YTCONV_EXPIRE_EVERY: '1s' });
  service = await startService(stack);
});
after(async () => {
  await service?.stop();
  await stack?.close();
});

describe('expiry', () => {
  it('deletes a done job’s files and cover after the retention time, and the API says so', async () => {
    const created = await service.create({ url: stack.site.watchUrl('plain'), format: 'mp3' });
    const done = await service.waitFor(created.id, 'done');
    assert.equal(done.expired, false);
    const fileUrl = done.files[0]?.url ?? assert.fail('no file');
    const coverUrl = done.cover ?? assert.fail('no cover');
    for (const url of [fileUrl, coverUrl]) {
      const fresh = await service.fetch(url);
      assert.equal(fresh.status, 200, url);
      await fresh.arrayBuffer();
    }

    // The view alone would say `expired` when the time has passed; the files being gone from
    // disk and from the database is what proves the scheduled job ran.
    const jobDir = await stack.storageDir(done.id);
    assert.ok(existsSync(jobDir));
    await until(() => !existsSync(jobDir), 10_000);
    // The file rows go right after the files (in that order, so a crash between leaks nothing).
    for (let i = 0; i < 50 && (await stack.files(done.id)).length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(await stack.files(done.id), []);

    const expired = await service.job(done.id);
    assert.equal(expired?.status, 'done');
    assert.equal(expired.expired, true);
    assert.deepEqual(expired.files, []);
    assert.equal(expired.cover, null);
    for (const url of [fileUrl, `/api/jobs/${done.id}/zip`, coverUrl]) {
      const res = await service.fetch(url);
      assert.equal(res.status, 410, url);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'expired');
    }
  });
});

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still not so after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
