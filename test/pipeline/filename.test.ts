import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diskStem, nameStem, numberedStem, safeStem } from '../../src/pipeline/filename.ts';

describe('safeStem', () => {
  const cases: [string, string][] = [
    ['Plain Title', 'Plain Title'],
    ['AC/DC: Back in Black', 'AC DC Back in Black'],
    ['a\\b*c?d"e<f>g|h', "a b c d'e f g h"],
    ['Say "Hi"', "Say 'Hi'"],
    ['tab\tand\nnewline\u0007bell', 'tab and newline bell'],
    ['...hidden', 'hidden'],
    ['trailing dots...  ', 'trailing dots'],
    ['CON', 'CON_'],
    ['nul.txt', 'nul.txt_'],
    ['', 'audio'],
    ['///', 'audio'],
    ['Café – naïve 日本語 🎵', 'Café – naïve 日本語 🎵'],
    ['zero\u200bwidth', 'zero width'],
  ];
  for (const [input, expected] of cases) {
    it(`turns ${JSON.stringify(input)} into ${JSON.stringify(expected)}`, () => {
      assert.equal(safeStem(input), expected);
    });
  }

  it('bounds the length in bytes without splitting a character', () => {
    const stem = safeStem('日本語'.repeat(200));
    assert.ok(Buffer.byteLength(stem) <= 180);
    assert.ok(/^(日本語)+[日本]*$/u.test(stem));
  });
});

describe('nameStem', () => {
  it('keeps double quotes, which only the name on disk gives up', () => {
    assert.equal(nameStem('my "quoted" song'), 'my "quoted" song');
    assert.equal(diskStem(nameStem('my "quoted" song')), "my 'quoted' song");
  });

  it('still makes no path and no other character Windows forbids', () => {
    assert.equal(nameStem('a/b\\c:d*e?f<g>h|i "j"'), 'a b c d e f g h i "j"');
  });
});

describe('numberedStem', () => {
  it('keeps the quotes of a title', () => {
    assert.equal(numberedStem(1, 2, 'Say "Hi"'), '01 - Say "Hi"');
  });

  it('zero-pads to the width of the count, at least two digits', () => {
    assert.equal(numberedStem(3, 12, 'Song'), '03 - Song');
    assert.equal(numberedStem(7, 120, 'Song'), '007 - Song');
  });
});
