import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canCopyCodec, coverArgs, encodeArgs, tagArgs } from '../../src/pipeline/ffmpeg-args.ts';

function after(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

describe('encodeArgs', () => {
  it('encodes MP3 at 192 kbps CBR by default', () => {
    const args = encodeArgs('in.webm', 'out.mp3', { format: 'mp3', copy: false });
    assert.equal(after(args, '-c:a'), 'libmp3lame');
    assert.equal(after(args, '-b:a'), '192k');
    assert.equal(after(args, '-f'), 'mp3');
    assert.equal(args.at(-1), 'out.mp3');
  });

  it('uses a VBR preset as -q:a and no bitrate', () => {
    const args = encodeArgs('in', 'out', { format: 'mp3', quality: 'V2', copy: false });
    assert.equal(after(args, '-q:a'), '2');
    assert.equal(args.includes('-b:a'), false);
  });

  it('copies the stream without an encoder when asked', () => {
    const args = encodeArgs('in', 'out', { format: 'opus', copy: true });
    assert.equal(after(args, '-c:a'), 'copy');
    assert.equal(after(args, '-f'), 'opus');
  });

  it('seeks before -i for files and after -i for pipes', () => {
    const file = encodeArgs('in.webm', 'o', { format: 'mp3', copy: false, span: { start: 2, end: 5 } });
    assert.ok(file.indexOf('-ss') < file.indexOf('-i'));
    assert.equal(after(file, '-t'), '3.000');
    const pipe = encodeArgs('pipe:0', 'o', { format: 'mp3', copy: false, span: { start: 2 } });
    assert.ok(pipe.indexOf('-ss') > pipe.indexOf('-i'));
    assert.equal(pipe.includes('-t'), false);
  });

  it('feeds the measured loudness back into a linear loudnorm pass', () => {
    const loudness = { input_i: '-20', input_tp: '-3', input_lra: '5', input_thresh: '-30', target_offset: '0.2' };
    const args = encodeArgs('in', 'o', { format: 'flac', copy: false, loudness, sampleRate: 44100 });
    const filter = after(args, '-af') ?? '';
    assert.match(filter, /^loudnorm=I=-14:.*measured_I=-20:.*linear=true$/);
    assert.equal(after(args, '-ar'), '44100');
    assert.equal(args.includes('-b:a'), false, 'FLAC takes no bitrate');
  });

  it('encodes a segment by exact sample count, reservoir off and untagged, for splicing', () => {
    const segment = { start: 1152 * 100, end: 1152 * 300 };
    const args = encodeArgs('in', 'o', { format: 'mp3', quality: 'V2', copy: false, segment });
    assert.equal(after(args, '-af'), 'atrim=start_sample=115200:end_sample=345600,asetpts=PTS-STARTPTS');
    assert.deepEqual([after(args, '-reservoir'), after(args, '-id3v2_version'), after(args, '-q:a')], ['0', '0', '2']);
    assert.equal(args.includes('-ss'), false, 'a seek is not sample-exact');
    const last = encodeArgs('in', 'o', { format: 'mp3', copy: false, segment: { start: 1152, end: null } });
    assert.equal(after(last, '-af'), 'atrim=start_sample=1152,asetpts=PTS-STARTPTS');
  });

  it('never lets ffmpeg open anything but files and pipes', () => {
    assert.equal(after(encodeArgs('in', 'o', { format: 'wav', copy: false }), '-protocol_whitelist'), 'file,pipe');
  });
});

describe('canCopyCodec', () => {
  const cases: [Parameters<typeof canCopyCodec>[0], string | null, boolean][] = [
    ['opus', 'opus', true],
    ['m4a', 'mp4a.40.2', true],
    ['m4a', 'aac', true],
    ['mp3', 'mp3', true],
    ['ogg', 'vorbis', true],
    ['mp3', 'opus', false],
    ['opus', null, false],
    ['wav', 'pcm_s16le', true],
  ];
  for (const [format, codec, expected] of cases) {
    it(`${expected ? 'copies' : 'does not copy'} ${codec} into ${format}`, () => {
      assert.equal(canCopyCodec(format, codec), expected);
    });
  }
});

describe('tagArgs', () => {
  it('attaches the cover as a picture stream in MP3', () => {
    const args = tagArgs('a.mp3', 'meta', 'o.mp3', 'mp3', 'cover.jpg');
    assert.deepEqual(args.slice(args.indexOf('-map', args.indexOf('-c:a')), args.indexOf('-map_metadata')), [
      '-map',
      '1:v',
      '-c:v',
      'copy',
      '-disposition:v:0',
      'attached_pic',
    ]);
    assert.equal(after(args, '-map_metadata'), '2');
  });

  it('keeps Opus to one input stream: its cover travels as a tag', () => {
    const args = tagArgs('a.opus', 'meta', 'o.opus', 'opus', 'cover.jpg');
    assert.equal(args.includes('cover.jpg'), false);
    assert.equal(after(args, '-map_metadata'), '1');
  });
});

describe('coverArgs', () => {
  it('centre-crops to a square', () => {
    assert.match(after(coverArgs('t.jpg', 'c.jpg'), '-vf') ?? '', /^crop=min\(iw\\,ih\):min\(iw\\,ih\)/);
  });
});
