/**
 * The JSON API the yt-dlp plugin reads. It already speaks yt-dlp's info-dict vocabulary, shaped as
 * YouTube's extractor fills it, so that the plugin stays a thin pass-through and every detail a
 * test may depend on lives here, in TypeScript.
 */
import type { Playlist, Video } from './catalog.ts';
import { CHANNEL, PLAYLIST_PAGE_SIZE } from './catalog.ts';
import type { Itag } from './media.ts';

/** A generated file the site serves. */
export interface Served {
  path: string;
  size: number;
}

export type MediaSet = ReadonlyMap<Itag, Served>;

interface Traits {
  ext: string;
  mime: string;
  acodec: string;
  vcodec: string;
  /** Nominal kbit/s, as YouTube states it. */
  abr?: number;
  asr?: number;
  picture?: { width: number; height: number; fps: number };
  note: string;
}

const PICTURE = { width: 160, height: 90, fps: 5 };

export const FORMATS: Record<Itag, Traits> = {
  '251': { ext: 'webm', mime: 'audio/webm', acodec: 'opus', vcodec: 'none', abr: 128, asr: 48000, note: 'medium' },
  '140': { ext: 'm4a', mime: 'audio/mp4', acodec: 'mp4a.40.2', vcodec: 'none', abr: 128, asr: 44100, note: 'medium' },
  '18': {
    ext: 'mp4',
    mime: 'video/mp4',
    acodec: 'mp4a.40.2',
    vcodec: 'avc1.42C00C',
    abr: 96,
    asr: 44100,
    picture: PICTURE,
    note: '90p',
  },
  '160': { ext: 'mp4', mime: 'video/mp4', acodec: 'none', vcodec: 'avc1.42C00C', picture: PICTURE, note: '90p' },
};

// YouTube's extractor makes yt-dlp fetch its https formats in ranged requests of this size.
const CHUNK_SIZE = 10 << 20;

export const watchUrl = (origin: string, video: Video): string => `${origin}/watch?v=${video.id}`;
export const mediaUrl = (origin: string, video: Video, itag: Itag): string => `${origin}/media/${video.id}/${itag}`;
export const thumbnailUrl = (origin: string, video: Video): string => `${origin}/vi/${video.id}/maxresdefault.jpg`;

export function videoInfo(origin: string, video: Video, media: MediaSet): Record<string, unknown> {
  const thumbnail = thumbnailUrl(origin, video);
  return {
    id: video.id,
    title: video.title,
    description: video.description,
    duration: video.duration,
    upload_date: video.uploadDate,
    ...channelFields(origin),
    uploader: video.uploader,
    channel: video.uploader,
    webpage_url: watchUrl(origin, video),
    thumbnail,
    thumbnails: [{ id: 'maxresdefault', url: thumbnail, width: 1280, height: 720 }],
    chapters: video.chapters.length
      ? video.chapters.map((c) => ({ start_time: c.start, end_time: c.end, title: c.title }))
      : undefined,
    ...video.music,
    ...video.released,
    // yt-dlp fills in the extractor's own key only where the info has none (add_extra_info's setdefault).
    ...(video.sponsorSegments && { extractor_key: 'Youtube' }),
    formats: [...media].map(([itag, served]) => formatInfo(origin, video, itag, served)),
  };
}

function formatInfo(origin: string, video: Video, itag: Itag, served: Served): Record<string, unknown> {
  const traits = FORMATS[itag];
  const filesize = video.size === 'hidden' ? undefined : (video.size ?? served.size);
  // yt-dlp estimates filesize_approx from any bitrate it knows, so hiding the size hides those too.
  const bitrates =
    filesize === undefined || !video.tone
      ? {}
      : { abr: traits.abr, tbr: Math.round((served.size * 8) / video.tone.seconds) / 1000 };
  const singleStream = traits.acodec === 'none' || traits.vcodec === 'none';
  return {
    format_id: itag,
    format_note: traits.note,
    url: mediaUrl(origin, video, itag),
    ext: traits.ext,
    // As YouTube's extractor: DASH streams carry one kind of track.
    container: singleStream ? `${traits.ext}_dash` : undefined,
    acodec: traits.acodec,
    vcodec: traits.vcodec,
    asr: traits.asr,
    audio_channels: traits.acodec === 'none' ? undefined : 2,
    ...bitrates,
    ...traits.picture,
    filesize,
    downloader_options: filesize === undefined ? undefined : { http_chunk_size: CHUNK_SIZE },
  };
}

export function playlistInfo(
  origin: string,
  playlist: Playlist,
  videos: readonly Video[],
  page: number,
): Record<string, unknown> {
  const from = (page - 1) * PLAYLIST_PAGE_SIZE;
  return {
    id: playlist.id,
    title: playlist.title,
    ...channelFields(origin),
    uploader: playlist.uploader,
    channel: playlist.uploader,
    entries: videos
      .slice(from, from + PLAYLIST_PAGE_SIZE)
      // YouTube's flat listing names each entry's channel and length too.
      .map((v) => ({
        id: v.id,
        title: v.title,
        duration: v.duration,
        url: watchUrl(origin, v),
        uploader: v.uploader,
        channel: v.uploader,
      })),
    next_page: from + PLAYLIST_PAGE_SIZE < videos.length ? page + 1 : null,
  };
}

function channelFields(origin: string): Record<string, string> {
  return {
    uploader_id: CHANNEL.handle,
    uploader_url: `${origin}/${CHANNEL.handle}`,
    channel_id: CHANNEL.id,
    channel_url: `${origin}/channel/${CHANNEL.id}`,
  };
}
