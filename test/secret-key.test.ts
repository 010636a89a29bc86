import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { keptSecretKey } from '../src/secret-key.ts';
import { tempDir } from './helpers/engine.ts';

describe('keptSecretKey', () => {
  it('makes a random key once, readable by its owner only, and keeps it', async () => {
    const file = join(await tempDir(), 'var', 'secret-key');
    const key = await keptSecretKey(file);
    assert.ok(key.length >= 40, key);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(await keptSecretKey(file), key);
    assert.notEqual(await keptSecretKey(join(await tempDir(), 'secret-key')), key, 'another install, another key');
  });

  it('gives processes starting together the same key, leaving nothing else behind', async () => {
    const dir = await tempDir();
    const file = join(dir, 'secret-key');
    const keys = await Promise.all(Array.from({ length: 8 }, () => keptSecretKey(file)));
    assert.equal(new Set(keys).size, 1);
    assert.equal((await readFile(file, 'utf8')).trim(), keys[0]);
    assert.deepEqual(await readdir(dir), ['secret-key']);
  });

  it('refuses an empty key file rather than signing with it', async () => {
    const file = join(await tempDir(), 'secret-key');
    await writeFile(file, '\n');
    await assert.rejects(keptSecretKey(file), /holds no usable key: delete it/);
  });
});
