import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attachment } from '../../src/web/content-disposition.ts';

/** What an RFC 8187-aware client reads back from the header. */
function decodedName(header: string): string {
  const star = /filename\*=UTF-8''([^;]+)/.exec(header);
  if (star) return decodeURIComponent(star[1]!);
  return /filename="([^"]*)"/.exec(header)![1]!;
}

describe('attachment', () => {
  it('keeps plain ASCII names in the simple form only', () => {
    assert.equal(attachment('Plain Tone Video.mp3'), 'attachment; filename="Plain Tone Video.mp3"');
    assert.equal(attachment("Don't Stop (Live) [2024].mp3"), `attachment; filename="Don't Stop (Live) [2024].mp3"`);
  });

  it('replaces double quotes in the fallback and keeps them in filename*', () => {
    const header = attachment('He said "Hi".mp3');
    assert.equal(header, `attachment; filename="He said 'Hi'.mp3"; filename*=UTF-8''He%20said%20%22Hi%22.mp3`);
    assert.equal(decodedName(header), 'He said "Hi".mp3');
  });

  it('folds accents for the fallback and percent-encodes UTF-8 for filename*', () => {
    const header = attachment('Café – Ünïcödé.m4a');
    assert.match(header, /^attachment; filename="Cafe _ Unicode\.m4a"; filename\*=UTF-8''Caf%C3%A9%20%E2%80%93%20/);
    assert.equal(decodedName(header), 'Café – Ünïcödé.m4a');
  });

  it('encodes scripts without an ASCII form and emoji as one _ each in the fallback', () => {
    const header = attachment('東京 🎵.opus');
    assert.match(header, /filename="__ _\.opus"/);
    assert.match(header, /filename\*=UTF-8''%E6%9D%B1%E4%BA%AC%20%F0%9F%8E%B5\.opus$/);
    assert.equal(decodedName(header), '東京 🎵.opus');
  });

  it("percent-encodes what RFC 8187 does not allow bare, including ' ( ) * and %", () => {
    const header = attachment("100% it's (a)*.mp3");
    assert.match(header, /filename\*=UTF-8''100%25%20it%27s%20%28a%29%2A\.mp3$/);
    assert.equal(decodedName(header), "100% it's (a)*.mp3");
  });

  it('never lets control characters or path separators into the header', () => {
    const header = attachment('a\r\nSet-Cookie: x=1/..\\b\u0000.mp3');
    assert.doesNotMatch(header, /[\p{Cc}/\\]/u);
    assert.equal(decodedName(header), 'a__Set-Cookie: x=1_.._b_.mp3');
  });

  it('handles very long names and stays one ASCII line', () => {
    const name = `${'Ω'.repeat(250)}.flac`;
    const header = attachment(name);
    assert.match(header, /^[\u0020-\u007e]+$/u);
    assert.equal(decodedName(header), name);
    assert.match(header, new RegExp(`filename="${'_'.repeat(250)}\\.flac"`));
  });

  it('survives a lone surrogate (a title cut in the middle of an emoji)', () => {
    const header = attachment('cut \ud83c.mp3');
    assert.equal(decodedName(header), 'cut \ufffd.mp3');
  });
});
