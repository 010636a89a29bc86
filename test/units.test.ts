import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseBoolean, parseByteSize, parseDuration, parseTimestamp } from '../src/units.ts';

describe('parseTimestamp', () => {
  const cases: [string, number | null][] = [
    ['0', 0],
    ['45', 45],
    ['90', 90],
    ['7.5', 7.5],
    ['1:05', 65],
    ['75:00', 4500],
    ['1:02:03', 3723],
    ['1:02:03.5', 3723.5],
    [' 2:00 ', 120],
    ['', null],
    ['abc', null],
    ['-5', null],
    ['1:2', null],
    ['1:60', null],
    ['1:75:00', null],
    ['1:02:03:04', null],
    ['1.5:00', null],
    ['5.', null],
    ['1h', null],
  ];
  for (const [text, expected] of cases) {
    it(`reads ${JSON.stringify(text)} as ${expected}`, () => assert.equal(parseTimestamp(text), expected));
  }
});

describe('parseDuration', () => {
  const cases: [string, number | null][] = [
    ['5400', 5400],
    ['90m', 5400],
    ['3h', 10800],
    ['1h30m', 5400],
    ['1h30m15s', 5415],
    ['45s', 45],
    ['2H', 7200],
    ['1:30:00', 5400],
    ['', null],
    ['h', null],
    ['1.5h', null],
    ['30m1h', null],
    ['three hours', null],
  ];
  for (const [text, expected] of cases) {
    it(`reads ${JSON.stringify(text)} as ${expected}`, () => assert.equal(parseDuration(text), expected));
  }
});

describe('parseByteSize', () => {
  const cases: [string, number | null][] = [
    ['1048576', 1048576],
    ['500K', 500 * 1024],
    ['500M', 500 * 1024 ** 2],
    ['500MB', 500 * 1024 ** 2],
    ['2G', 2 * 1024 ** 3],
    ['2GiB', 2 * 1024 ** 3],
    ['1.5GB', 1.5 * 1024 ** 3],
    ['1.5 gb', 1.5 * 1024 ** 3],
    ['10B', 10],
    ['', null],
    ['M', null],
    ['2X', null],
    ['-1G', null],
    ['2 gigs', null],
  ];
  for (const [text, expected] of cases) {
    it(`reads ${JSON.stringify(text)} as ${expected}`, () => assert.equal(parseByteSize(text), expected));
  }
});

describe('parseBoolean', () => {
  it('reads the usual words for yes and no, in any case', () => {
    for (const word of ['1', 'true', 'YES', 'On']) assert.equal(parseBoolean(word), true, word);
    for (const word of ['0', 'False', 'no', 'OFF']) assert.equal(parseBoolean(word), false, word);
  });

  it('refuses anything else', () => {
    for (const word of ['', 'y', 'enabled', '2', 'constructor', '__proto__'])
      assert.equal(parseBoolean(word), null, word);
  });
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [2, '2 s'],
    [59.6, '60 s'],
    [60, '1 min'],
    [1800, '30 min'],
    [5400, '1 h 30 min'],
    [3 * 3600, '3 h'],
    [54_600, '15 h 10 min'],
  ];
  for (const [seconds, expected] of cases) {
    it(`writes ${seconds} s as ${expected}`, () => assert.equal(formatDuration(seconds), expected));
  }
});
