/** yt-dlp's argv builders and the translation of its failures, without running it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { downloadArgs, formatById } from '../../src/pipeline/ytdlp.ts';

describe('formatById', () => {
  it('selects an id by an exact filter, so that an id spelt like an extension stays an id', () => {
    assert.equal(formatById('webm'), 'b*[format_id="webm"]');
    assert.equal(formatById('251'), 'b*[format_id="251"]');
  });

  it('escapes a quote inside the id', () => {
    assert.equal(formatById('a"b'), 'b*[format_id="a\\"b"]');
  });

  it('is what a download asks for', () => {
    const args = downloadArgs(['--ignore-config'], '/w/info.json', 'mp4', '-');
    assert.equal(args[args.indexOf('-f') + 1], 'b*[format_id="mp4"]');
  });
});
