/**
 * The key that signs admin sessions when SECRET_KEY is not set: made once at random and kept in a
 * file only its owner can read, instead of a fixed key that anyone could forge cookies with. The
 * file appears whole or not at all (written aside, then hard-linked into place, which fails if it
 * exists), so processes starting together all end up with the key of the first.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

const KEY_BYTES = 32;
const MIN_LENGTH = 16;

/** SECRET_KEY, or else the key kept in its file (made now if there is none yet). */
export function serviceSecretKey(service: { secretKey: string | null; secretKeyFile: string }): Promise<string> {
  return service.secretKey === null ? keptSecretKey(service.secretKeyFile) : Promise.resolve(service.secretKey);
}

/**
 * A key of its own for one use, derived from the secret key: handing it out (webhooks' receivers
 * need theirs) reveals neither the secret key nor any other use's key.
 */
export function derivedKey(secretKey: string, use: string): string {
  return createHmac('sha256', secretKey).update(`ytconv ${use}`).digest('base64url');
}

/** The key kept in `file`, made now if there is none yet. */
export async function keptSecretKey(file: string): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  const key = randomBytes(KEY_BYTES).toString('base64url');
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(aside, `${key}\n`, { flag: 'wx', mode: 0o600 });
    await link(aside, file);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await rm(aside, { force: true });
  }
  return readKey(file);
}

async function readKey(file: string): Promise<string> {
  const key = (await readFile(file, 'utf8')).trim();
  if (key.length < MIN_LENGTH) {
    throw new Error(`${file} holds no usable key: delete it to have a new one made, or set SECRET_KEY.`);
  }
  return key;
}
