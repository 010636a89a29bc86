import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAdmin, deleteAdmin, listAdmins, roleOf, verifyAdmin } from '../../src/db/admins.ts';
import { hashPassword, verifyPassword } from '../../src/db/password.ts';
import { dialects, useDatabase } from './dialects.ts';
import { T0 } from './fixtures.ts';

describe('password hashes', () => {
  it('encode the scheme, cost and salt, and never the password', async () => {
    const hash = await hashPassword('correct horse');
    assert.match(hash, /^scrypt\$32768\$8\$3\$[\w-]{22}\$[\w-]{43}$/);
    assert.doesNotMatch(hash, /correct horse/);
    assert.notEqual(await hashPassword('correct horse'), hash, 'a fresh salt each time');
  });

  it('verify the same password, also when typed in another Unicode form', async () => {
    const hash = await hashPassword('caf\u00e9');
    assert.equal(await verifyPassword('caf\u00e9', hash), true);
    assert.equal(await verifyPassword('cafe\u0301', hash), true);
    assert.equal(await verifyPassword('cafe', hash), false);
  });

  it('check a hash made with other costs by the costs it names', async () => {
    assert.equal(await verifyPassword('pw', (await hashPassword('pw')).replace('$32768$8$3$', '$1024$8$1$')), false);
  });

  for (const stored of ['', 'plain', 'bcrypt$x$y', 'scrypt$a$b$c$salt$hash', 'scrypt$1024$8$1$c2FsdA$aGFzaA$extra']) {
    it(`refuse the unreadable hash ${JSON.stringify(stored)}`, async () => {
      assert.equal(await verifyPassword('pw', stored), false);
    });
  }
});

for (const dialect of dialects()) {
  describe(`admins on ${dialect.name}`, () => {
    const t = useDatabase(dialect);

    it('creates an admin once per username', async () => {
      const admin = await createAdmin(t.db, 'ann', 'secret one', { now: T0 });
      assert.deepEqual(admin, { id: admin!.id, username: 'ann', role: 'admin', created_at: T0 });
      assert.equal(await createAdmin(t.db, 'ann', 'another'), null);
    });

    it('verifies the right password and nothing else', async () => {
      const admin = await createAdmin(t.db, 'ann', 'secret one', { now: T0 });
      assert.deepEqual(await verifyAdmin(t.db, 'ann', 'secret one'), admin);
      assert.equal(await verifyAdmin(t.db, 'ann', 'secret two'), null);
      assert.equal(await verifyAdmin(t.db, 'Ann', 'secret one'), null, 'usernames are exact');
      assert.equal(await verifyAdmin(t.db, 'bob', 'secret one'), null);
    });

    it('keeps the last admin however many users there are, and lets users go', async () => {
      await createAdmin(t.db, 'ann', 'secret one');
      await createAdmin(t.db, 'uma', 'secret two', { role: 'user' });
      await createAdmin(t.db, 'ulf', 'secret three', { role: 'user' });
      assert.equal(await roleOf(t.db, 'uma'), 'user');
      assert.equal(await deleteAdmin(t.db, 'ann'), 'last');
      assert.equal(await deleteAdmin(t.db, 'uma'), 'deleted');
      assert.equal(await roleOf(t.db, 'uma'), null);
      assert.deepEqual(
        (await listAdmins(t.db)).map((a) => [a.username, a.role]),
        [
          ['ann', 'admin'],
          ['ulf', 'user'],
        ],
      );
    });
  });
}
