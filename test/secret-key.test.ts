import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { keptSecretKey } from '../src/secret-key.ts';
import { webhookSettingsOf } from '../src/services.ts';
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

describe('the webhooks’ signing key', () => {
  const settings = (env: NodeJS.ProcessEnv) => webhookSettingsOf(loadConfig(env, join(import.meta.dirname, '..')));

  it('is YTCONV_WEBHOOK_SECRET when set', async () => {
    const key = 'a-webhook-key-of-16+-characters';
    assert.equal((await settings({ SECRET_KEY: 'k'.repeat(32), YTCONV_WEBHOOK_SECRET: key })).signingKey, key);
  });

  it('is derived from SECRET_KEY otherwise: the same on every host, never the secret key itself', async () => {
    const one = (await settings({ SECRET_KEY: 'k'.repeat(32) })).signingKey;
    assert.equal((await settings({ SECRET_KEY: 'k'.repeat(32) })).signingKey, one);
    assert.notEqual((await settings({ SECRET_KEY: 'j'.repeat(32) })).signingKey, one);
    assert.notEqual(one, 'k'.repeat(32));
    // The README's one-liner for handing it to receivers.
    assert.equal(createHmac('sha256', 'k'.repeat(32)).update('ytconv webhooks').digest('base64url'), one);
  });
});
