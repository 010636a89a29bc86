import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ifRangeHolds, notModified, parseRange, validatorsOf } from '../../src/web/range.ts';

describe('parseRange', () => {
  const cases: [string | undefined, number, ReturnType<typeof parseRange>][] = [
    [undefined, 100, null],
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=10-', 100, { start: 10, end: 99 }],
    ['bytes=90-500', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-500', 100, { start: 0, end: 99 }],
    ['bytes=99-99', 100, { start: 99, end: 99 }],
    [' Bytes = 5 - 6 ', 100, { start: 5, end: 6 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=200-300', 100, 'unsatisfiable'],
    ['bytes=-0', 100, 'unsatisfiable'],
    ['bytes=0-', 0, 'unsatisfiable'],
    ['bytes=-5', 0, 'unsatisfiable'],
    // Ignored, so the whole file is sent (RFC 9110 allows ignoring Range).
    ['bytes=9-0', 100, null],
    ['bytes=0-1,5-6', 100, null],
    ['items=0-1', 100, null],
    ['bytes=-', 100, null],
    ['bytes=abc', 100, null],
    ['', 100, null],
  ];
  for (const [header, size, expected] of cases) {
    it(`${JSON.stringify(header)} of ${size} bytes → ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(parseRange(header, size), expected);
    });
  }
});

describe('validators', () => {
  const current = validatorsOf({ size: 4096, mtimeMs: 1_700_000_000_123.7 });

  it('make a strong ETag from size and whole milliseconds', () => {
    assert.equal(current.etag, `"1000-${(1_700_000_000_123).toString(16)}"`);
    assert.equal(current.lastModified.getTime(), 1_700_000_000_123);
  });

  it('honour If-Range only for the same version', () => {
    assert.equal(ifRangeHolds(undefined, current), true);
    assert.equal(ifRangeHolds(current.etag, current), true);
    assert.equal(ifRangeHolds('"other"', current), false);
    assert.equal(ifRangeHolds(`W/${current.etag}`, current), false, 'weak tags never match If-Range');
    assert.equal(ifRangeHolds(current.lastModified.toUTCString(), current), true);
    assert.equal(ifRangeHolds('Mon, 01 Jan 2024 00:00:00 GMT', current), false);
  });

  it('answer If-None-Match with a weak comparison', () => {
    assert.equal(notModified(undefined, current), false);
    assert.equal(notModified(current.etag, current), true);
    assert.equal(notModified(`"a", W/${current.etag}`, current), true);
    assert.equal(notModified('*', current), true);
    assert.equal(notModified('"a"', current), false);
  });
});
