import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConvertError } from '../../src/errors.ts';
import { formatItems, parseItems, selectItems } from '../../src/pipeline/items.ts';

describe('an entry selection in yt-dlp’s -I syntax', () => {
  // Selection, playlist length → positions picked, and the canonical spelling.
  const cases: [string, number, number[], string][] = [
    ['1-3,7,10-', 12, [1, 2, 3, 7, 10, 11, 12], '1-3,7,10-'],
    ['7, 1-3', 12, [1, 2, 3, 7], '7,1-3'],
    ['2', 3, [2], '2'],
    ['5', 3, [], '5'],
    ['-5:', 12, [8, 9, 10, 11, 12], '-5:'],
    ['-2', 3, [2], '-2'],
    [':3', 10, [1, 2, 3], '1-3'],
    ['1:10:2', 10, [1, 3, 5, 7, 9], '1:10:2'],
    ['10:1:-3', 10, [1, 4, 7, 10], '10:1:-3'],
    ['1-inf', 4, [1, 2, 3, 4], '1-'],
    ['3-1', 5, [], '3-1'],
    ['2-999999999', 4, [2, 3, 4], '2-999999999'],
    ['-999999999:2', 4, [1, 2], '-999999999:2'],
    ['1-2,2-3', 4, [1, 2, 3], '1-2,2-3'],
  ];
  for (const [text, count, picked, canonical] of cases) {
    it(`"${text}" picks ${JSON.stringify(picked)} of ${count} and reads "${canonical}"`, () => {
      const selection = parseItems(text);
      assert.deepEqual(selectItems(selection, count), picked);
      assert.equal(formatItems(selection), canonical);
      assert.equal(formatItems(parseItems(canonical)), canonical);
    });
  }

  for (const bad of [
    '',
    'a',
    '1-3;7',
    '0',
    '1-0',
    '1:5:0',
    '1,,2',
    '--version',
    '1-3 7x',
    '1'.repeat(30).split('').join(',').repeat(4),
  ]) {
    it(`refuses ${JSON.stringify(bad.slice(0, 20))} as invalid_option naming the field`, () => {
      assert.throws(
        () => parseItems(bad),
        (err) => err instanceof ConvertError && err.code === 'invalid_option' && err.field === 'items',
      );
    });
  }
});
