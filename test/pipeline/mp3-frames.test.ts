import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { id3v2Length, parseFrameHeader, splitFrames } from '../../src/pipeline/mp3-frames.ts';

/** A frame: its 4-byte header and zeros to its length. */
function frame(header: number[], length: number): Buffer {
  return Buffer.concat([Buffer.from(header), Buffer.alloc(length - 4)]);
}

describe('MP3 frame headers', () => {
  const cases: [string, number[], Partial<ReturnType<typeof parseFrameHeader>>][] = [
    [
      'MPEG-1 192 kbps 48 kHz joint stereo',
      [0xff, 0xfb, 0xb4, 0x64],
      { sampleRate: 48000, length: 576, samplesPerFrame: 1152, sideInfoEnd: 36 },
    ],
    [
      'MPEG-1 128 kbps 44.1 kHz, padded',
      [0xff, 0xfb, 0x92, 0x00],
      { sampleRate: 44100, length: 418, bitrateKbps: 128 },
    ],
    ['MPEG-1 mono', [0xff, 0xfb, 0x90, 0xc0], { length: 417, sideInfoEnd: 21 }],
    ['MPEG-1 with CRC', [0xff, 0xfa, 0x90, 0x00], { sideInfoEnd: 38 }],
    [
      'MPEG-2 64 kbps 24 kHz',
      [0xff, 0xf3, 0x84, 0x00],
      { sampleRate: 24000, samplesPerFrame: 576, length: 192, sideInfoEnd: 21 },
    ],
    ['MPEG-2.5 8 kHz', [0xff, 0xe3, 0x18, 0x00], { sampleRate: 8000, length: 72 }],
  ];
  for (const [name, bytes, expected] of cases) {
    it(`reads ${name}`, () => {
      const header = parseFrameHeader(Buffer.from(bytes));
      assert.ok(header);
      assert.deepEqual({ ...header, ...expected }, header);
    });
  }

  it('refuses what is not a Layer III header', () => {
    for (const bytes of [
      [0x49, 0x44, 0x33, 0x04], // an ID3 tag
      [0xff, 0xfd, 0x90, 0x00], // Layer II
      [0xff, 0xfb, 0xf0, 0x00], // bitrate index 15
      [0xff, 0xfb, 0x0c, 0x00], // free format, reserved rate
      [0xff, 0xeb, 0x90, 0x00], // reserved version
      [0xff, 0xfb, 0x90], // too short
    ]) {
      assert.equal(parseFrameHeader(Buffer.from(bytes)), null, bytes.join(','));
    }
  });
});

describe('cutting bytes into frames', () => {
  const a = frame([0xff, 0xfb, 0xb4, 0x64], 576);
  const b = frame([0xff, 0xfb, 0x92, 0x00], 418);

  it('keeps whole frames and leaves the start of the next one over', () => {
    const { frames, rest } = splitFrames(Buffer.concat([a, b, a.subarray(0, 100)]));
    assert.deepEqual(
      frames.map((f) => f.length),
      [576, 418],
    );
    assert.equal(rest.length, 100);
  });

  it('throws on bytes that are not a frame, rather than skipping them', () => {
    assert.throws(() => splitFrames(Buffer.concat([a, Buffer.alloc(10), b])), /byte 576/);
  });
});

describe('ID3v2 tag length', () => {
  it('reads the syncsafe size, and counts a footer where the flags announce one', () => {
    const header = (flags: number, size: number[]) => Buffer.from([0x49, 0x44, 0x33, 4, 0, flags, ...size]);
    assert.equal(id3v2Length(header(0, [0, 0, 0x12, 0x34])), 10 + 0x12 * 128 + 0x34);
    assert.equal(id3v2Length(header(0x10, [0, 0, 0, 1])), 21);
    assert.equal(id3v2Length(header(0, [0x7f, 0x7f, 0x7f, 0x7f])), 10 + 2 ** 28 - 1);
  });

  it('is 0 for bytes that start with a frame, or with too little to tell', () => {
    assert.equal(id3v2Length(Buffer.from([0xff, 0xfb, 0xb4, 0x64, 0, 0, 0, 0, 0, 0])), 0);
    assert.equal(id3v2Length(Buffer.from('ID3')), 0);
  });
});
