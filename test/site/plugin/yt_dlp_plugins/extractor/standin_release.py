"""A stand-in video that only some yt-dlp versions can extract: how YouTube breaks an old yt-dlp
and a newer release fixes it (see test/site/releases.ts, which serves such releases).

<origin>/versioned/watch?v=ID&since=2024.02.02&broken=2024.03.03 is extracted like the site's
watch link by yt-dlp 2024.02.02 or later, except 2024.03.03; any other version fails the way a
broken extractor does (yt-dlp adds its "please report this issue" text). The version asks the
site's API, so the site's request log shows which yt-dlp extracted the video.
"""
import urllib.parse

from yt_dlp.utils import ExtractorError
from yt_dlp.version import __version__
from yt_dlp_plugins.extractor.standin import _ORIGIN, StandInIE


class StandInVersionedIE(StandInIE):
    IE_NAME = 'standin:versioned'
    _VALID_URL = _ORIGIN + r'/versioned/watch\?v=(?P<id>[\w-]{11})(?P<rules>[^#]*)'

    def _real_extract(self, url):
        video_id = self._match_id(url)
        rules = urllib.parse.parse_qs(self._match_valid_url(url).group('rules').lstrip('&'))
        since = rules.get('since', [''])[0]
        broken = ','.join(rules.get('broken', [])).split(',')
        if __version__ < since or __version__ in broken:
            raise ExtractorError(f'Unable to extract yt initial data with yt-dlp {__version__}')
        return self._call_api(url, 'videos', video_id, {'yt_dlp': __version__})['video']
