import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc16, readInfoTag, seekTable, writeInfoTag } from '../../src/pipeline/mp3-info-tag.ts';

/** An Info frame as ffmpeg lays it out: MPEG-1 192 kbps 48 kHz stereo, tag after 32 bytes of side info. */
function template(id = 'Info'): Buffer {
  const frame = Buffer.alloc(576);
  frame.set([0xff, 0xfb, 0xb4, 0x00]);
  frame.write(id, 36, 'latin1');
  frame.writeUInt32BE(0x0f, 40);
  frame.write('Lavc59.37', 156, 'latin1');
  return frame;
}

const totals = {
  frames: 1668,
  bytes: 961344,
  encoderDelay: 576,
  padding: 960,
  toc: new Uint8Array(100).fill(7),
  musicCrc: 0x77c2,
};

describe('the Xing/Info frame', () => {
  it('carries the totals written into it', () => {
    const frame = writeInfoTag(template(), totals);
    assert.deepEqual(readInfoTag(frame), { vbr: false, frames: 1668, bytes: 961344, encoderDelay: 576, padding: 960 });
    assert.deepEqual([...frame.subarray(52, 152)], [...totals.toc]);
    assert.equal(frame.readUInt32BE(156 + 28), 961344, 'music length');
    assert.equal(frame.readUInt16BE(156 + 32), 0x77c2, 'music CRC');
    assert.equal(frame.readUInt16BE(156 + 34), crc16(frame.subarray(0, 190)), 'tag CRC over its first 190 bytes');
  });

  it('tells VBR (Xing) from CBR (Info) and leaves the template untouched', () => {
    const xing = template('Xing');
    assert.equal(readInfoTag(writeInfoTag(xing, totals))?.vbr, true);
    assert.equal(readInfoTag(xing)?.frames, 0);
  });

  it('finds no tag in an audio frame, and will not write delay or padding a LAME tag cannot hold', () => {
    const audio = template('\0\0\0\0');
    assert.equal(readInfoTag(audio), null);
    assert.throws(() => writeInfoTag(audio, totals), /no Xing\/Info tag/);
    assert.throws(() => writeInfoTag(template(), { ...totals, padding: 4096 }), /out of range/);
  });

  it('computes CRC-16/ARC, the LAME tag CRC', () => {
    assert.equal(crc16(Buffer.from('123456789')), 0xbb3d);
    assert.equal(crc16(Buffer.from('56789'), crc16(Buffer.from('1234'))), 0xbb3d, 'continued over chunks');
  });

  it('makes a seek table of where each hundredth of the frames starts, in 1/256ths of the bytes', () => {
    const toc = seekTable(
      100,
      Array.from({ length: 200 }, () => 50),
    );
    assert.equal(toc[0], Math.floor((256 * 100) / 10100));
    assert.equal(toc[50], Math.floor((256 * (100 + 100 * 50)) / 10100));
    assert.ok(toc.every((v, i) => i === 0 || v >= (toc[i - 1] ?? 0)));
  });
});
