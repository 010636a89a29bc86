import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canCopyCodec,
  coverArgs,
  type EncodeSpec,
  encodeArgs,
  fixedBitrate,
  mp3HeadArgs,
  type TagInputs,
} from '../../src/pipeline/ffmpeg-args.ts';

const tags: TagInputs = { metadata: 'tags.ffmeta', cover: 'cover.jpg' };

/** encodeArgs with the tag inputs every encode has. */
function encode(input: string, output: string, spec: Omit<EncodeSpec, 'tags'>): string[] {
  return encodeArgs(input, output, { ...spec, tags });
}

function after(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

describe('encodeArgs', () => {
  it('encodes MP3 at 192 kbps CBR by default', () => {
    const args = encode('in.webm', 'out.mp3', { format: 'mp3', copy: false });
    assert.equal(after(args, '-c:a'), 'libmp3lame');
    assert.equal(after(args, '-b:a'), '192k');
    assert.equal(args[args.lastIndexOf('-f') + 1], 'mp3');
    assert.equal(args.at(-1), 'out.mp3');
  });

  it('uses a VBR preset as -q:a and no bitrate', () => {
    const args = encode('in', 'out', { format: 'mp3', quality: 'V2', copy: false });
    assert.equal(after(args, '-q:a'), '2');
    assert.equal(args.includes('-b:a'), false);
  });

  it('copies the stream without an encoder when asked', () => {
    const args = encode('in', 'out', { format: 'opus', copy: true });
    assert.equal(after(args, '-c:a'), 'copy');
    assert.equal(args[args.lastIndexOf('-f') + 1], 'opus');
  });

  it('cuts the audio input, file or pipe, leaving the tag inputs whole', () => {
    for (const input of ['in.webm', 'pipe:0']) {
      const args = encode(input, 'o', { format: 'mp3', copy: false, span: { start: 2, end: 5 } });
      assert.deepEqual(args.slice(args.indexOf('-ss'), args.indexOf('-i') + 2), [
        '-ss',
        '2.000',
        '-t',
        '3.000',
        '-i',
        input,
      ]);
      assert.equal(args.lastIndexOf('-ss'), args.indexOf('-ss'));
    }
    assert.equal(encode('in', 'o', { format: 'mp3', copy: false, span: { start: 2 } }).includes('-t'), false);
  });

  it('feeds the measured loudness back into a linear loudnorm pass', () => {
    const loudness = { input_i: '-20', input_tp: '-3', input_lra: '5', input_thresh: '-30', target_offset: '0.2' };
    const args = encode('in', 'o', { format: 'flac', copy: false, loudness, sampleRate: 44100 });
    const filter = after(args, '-af') ?? '';
    assert.match(filter, /^loudnorm=I=-14:.*measured_I=-20:.*linear=true$/);
    assert.equal(after(args, '-ar'), '44100');
    assert.equal(args.includes('-b:a'), false, 'FLAC takes no bitrate');
  });

  it('encodes a segment by exact sample count, reservoir off, for splicing', () => {
    const segment = { start: 1152 * 100, end: 1152 * 300 };
    const args = encode('in', 'o', { format: 'mp3', quality: 'V2', copy: false, segment });
    assert.equal(after(args, '-af'), 'atrim=start_sample=115200:end_sample=345600,asetpts=PTS-STARTPTS');
    assert.deepEqual([after(args, '-reservoir'), after(args, '-q:a')], ['0', '2']);
    assert.equal(args.includes('-ss'), false, 'a seek is not sample-exact');
    const last = encode('in', 'o', { format: 'mp3', copy: false, segment: { start: 1152, end: null } });
    assert.equal(after(last, '-af'), 'atrim=start_sample=1152,asetpts=PTS-STARTPTS');
  });

  it('writes no tag at all, not even the ID3 tag the muxer adds, when given none (a later segment)', () => {
    const segment = { start: 1152, end: null };
    const args = encodeArgs('in', 'o', { format: 'mp3', copy: false, segment, tags: null });
    assert.deepEqual(
      [args.filter((a) => a === '-i').length, after(args, '-map'), after(args, '-map_metadata')],
      [1, '0:a:0', '-1'],
    );
    assert.deepEqual([after(args, '-map_chapters'), after(args, '-id3v2_version')], ['-1', '0']);
  });

  it('sizes the input queues only with several inputs: given for one, the option starts a reading thread', () => {
    const alone = encodeArgs('pipe:0', 'o', { format: 'mp3', copy: false, tags: null });
    assert.equal(alone.includes('-thread_queue_size'), false);
    assert.equal(after(encode('pipe:0', 'o', { format: 'm4a', copy: false }), '-thread_queue_size'), '1024');
  });

  it('never lets ffmpeg open anything but files and pipes', () => {
    assert.equal(after(encode('in', 'o', { format: 'wav', copy: false }), '-protocol_whitelist'), 'file,pipe');
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

describe('encodeArgs with tags', () => {
  /** The argv from the first -map to the output format. */
  const mapping = (args: string[]) => args.slice(args.indexOf('-map'), args.indexOf('-c:a'));

  it('attaches the cover as a picture stream in MP3, M4A and FLAC, the tags and chapters from input 2', () => {
    for (const format of ['mp3', 'm4a', 'flac'] as const) {
      const args = encode('a.webm', 'o', { format, copy: false });
      assert.deepEqual(
        args.filter((_, i) => args[i - 1] === '-i'),
        ['a.webm', 'cover.jpg', 'tags.ffmeta'],
      );
      assert.deepEqual(mapping(args), [
        ...['-map', '0:a:0', '-map_metadata:s', '-1'],
        ...['-map', '1:v', '-c:v', 'copy', '-disposition:v:0', 'attached_pic'],
        ...['-map_metadata', '2', '-map_chapters', '2'],
      ]);
    }
  });

  it('keeps Ogg and Opus to one picture-less output stream: their cover travels as a tag', () => {
    for (const format of ['opus', 'ogg'] as const) {
      const args = encode('a.webm', 'o', { format, copy: true });
      assert.equal(args.includes('cover.jpg'), false);
      assert.deepEqual(mapping(args), [
        '-map',
        '0:a:0',
        '-map_metadata:s',
        '-1',
        '-map_metadata',
        '1',
        '-map_chapters',
        '1',
      ]);
    }
  });

  it('gives WAV tags but no chapters and no cover', () => {
    const args = encode('a.webm', 'o', { format: 'wav', copy: false });
    assert.equal(args.includes('cover.jpg'), false);
    assert.equal(after(args, '-map_metadata'), '1');
    assert.equal(after(args, '-map_chapters'), '-1');
  });

  it('moves an M4A index to the front in the same run', () => {
    assert.equal(after(encode('a', 'o', { format: 'm4a', copy: true }), '-movflags'), '+faststart');
  });
});

describe('fixedBitrate', () => {
  const cases: [Omit<EncodeSpec, 'tags'>, number | null, number | null][] = [
    [{ format: 'mp3', copy: false }, 48_000, 192_000],
    [{ format: 'mp3', copy: false, quality: '320k' }, 44_100, 320_000],
    [{ format: 'mp3', copy: false, quality: '150k' }, 44_100, null],
    [{ format: 'mp3', copy: false }, 22_050, null],
    [{ format: 'mp3', copy: false }, null, null],
    [{ format: 'mp3', copy: false, quality: 'V2' }, 48_000, null],
    [{ format: 'mp3', copy: true }, 48_000, null],
    [{ format: 'm4a', copy: false, quality: '192k' }, 48_000, null],
  ];
  for (const [spec, rate, expected] of cases) {
    it(`knows ${expected ?? 'no'} bitrate for ${spec.format} ${spec.quality ?? ''}${spec.copy ? 'copied' : ''} from ${rate} Hz`, () => {
      assert.equal(fixedBitrate(spec, rate), expected);
    });
  }
});

describe('mp3HeadArgs', () => {
  it('makes the tag over a frame of silence, with the same tag inputs and mapping as an encode', () => {
    const args = mp3HeadArgs(tags, 'head.mp3');
    assert.deepEqual(
      args.filter((_, i) => args[i - 1] === '-i'),
      ['anullsrc,atrim=end_sample=1152', 'cover.jpg', 'tags.ffmeta'],
    );
    const encoded = encode('a.webm', 'o', { format: 'mp3', copy: false });
    const mapped = (a: string[]) => a.slice(a.indexOf('-map'), a.indexOf('-c:a'));
    assert.deepEqual(mapped(args), mapped(encoded));
    assert.deepEqual([after(args, '-write_xing'), args.at(-1)], ['0', 'head.mp3']);
  });
});

describe('coverArgs', () => {
  it('centre-crops to a square', () => {
    assert.match(after(coverArgs('t.jpg', 'c.jpg'), '-vf') ?? '', /^crop=min\(iw\\,ih\):min\(iw\\,ih\)/);
  });
});
