"""yt-dlp extractors for ytconv's stand-in video site (test/site/server.ts), a YouTube look-alike.

Loaded through yt-dlp's namespace-package plugin mechanism: put test/site/plugin on PYTHONPATH.
The site's JSON API already speaks yt-dlp's info-dict vocabulary, so these stay pass-throughs;
only failures are translated, into the same yt-dlp errors YouTube's extractor raises.
"""
import os

from yt_dlp.extractor.common import InfoExtractor
from yt_dlp.utils import ExtractorError

# Loopback only, any port; /files/ and /redirect are left to yt-dlp's generic extractor.
_ORIGIN = r'(?P<origin>https?://(?:127\.0\.0\.1|localhost)(?::\d+)?)'


# The site's origin, set by a benchmark that wants YouTube's own links answered by the site (see server.ts).
_YOUTUBE_ALIAS_VARIABLE = 'PYTHON_STANDIN_AS_YOUTUBE'


class _StandInBaseIE(InfoExtractor):
    def _origin(self, url):
        return self._match_valid_url(url).group('origin')

    def _call_api(self, url, path, item_id, query=None):
        # Extractor arguments for the stand-in (`--extractor-args standin:probe=…`) go to the site
        # with each call, so that a test reads in the site's request log exactly what reached here.
        probe = self._configuration_arg('probe', ie_key='standin', casesense=True)
        query = {**(query or {}), **({'probe': ','.join(probe)} if probe else {}), **self._sleep_query()}
        data = self._download_json(f'{self._origin(url)}/api/{path}/{item_id}', item_id, query=query)
        error = data.get('error')
        if not error:
            return data
        if error['reason'] == 'geo':
            self.raise_geo_restricted(error['message'])
        if error['reason'] == 'login':
            # yt-dlp appends '. <how to pass cookies>'; YouTube's extractor drops the reason's own full stop too.
            self.raise_login_required(error['message'].rstrip('.'))
        # A broken extractor is an error yt-dlp did not expect: it adds its "please report this issue".
        raise ExtractorError(error['message'], expected=error['reason'] != 'broken')

    def _sleep_query(self):
        # yt-dlp's spacing options as this run of it holds them (`--sleep-requests`, `--sleep-interval`,
        # `--max-sleep-interval`), sent only when one is set, so that a test reads them in the request log.
        names = ('sleep_interval_requests', 'sleep_interval', 'max_sleep_interval')
        values = [self.get_param(name) for name in names]
        if all(value is None for value in values):
            return {}
        return {'sleep': ','.join('' if value is None else str(value) for value in values)}


class StandInIE(_StandInBaseIE):
    IE_NAME = 'standin'
    _VALID_URL = _ORIGIN + r'/(?:watch\?(?:[^#]*&)?v=|shorts/)(?P<id>[\w-]{11})'

    def _real_extract(self, url):
        video_id = self._match_id(url)
        return self._call_api(url, 'videos', video_id)['video']


class StandInYouTubeIE(StandInIE):
    """YouTube's canonical watch link (what ytconv makes of every spelling of one) for a video of
    the site named by the variable; without it, YouTube's own extractor takes the link as ever.
    Plugins come before yt-dlp's own extractors, so this one wins when it is suitable."""
    IE_NAME = 'standin:youtube'
    _VALID_URL = r'https://www\.youtube\.com/watch\?v=(?P<id>[\w-]{11})'

    @classmethod
    def suitable(cls, url):
        return bool(os.environ.get(_YOUTUBE_ALIAS_VARIABLE)) and super().suitable(url)

    def _origin(self, url):
        return os.environ[_YOUTUBE_ALIAS_VARIABLE]


class StandInPlaylistIE(_StandInBaseIE):
    IE_NAME = 'standin:playlist'
    _VALID_URL = _ORIGIN + r'/playlist\?(?:[^#]*&)?list=(?P<id>[\w-]+)'

    def _real_extract(self, url):
        playlist_id = self._match_id(url)
        playlist = self._call_api(url, 'playlists', playlist_id)['playlist']
        first_page = {'entries': playlist.pop('entries'), 'next_page': playlist.pop('next_page')}
        entries = self._entries(url, playlist_id, first_page)
        return self.playlist_result(entries, playlist.pop('id'), playlist.pop('title'), **playlist)

    def _entries(self, url, playlist_id, page):
        # A generator, as YouTube's extractor pages through a channel: yt-dlp asks for the next
        # page only when it wants more entries than it has.
        while True:
            for e in page['entries']:
                # With its channel and length, as YouTube's flat listings give them.
                yield self.url_result(e['url'], StandInIE, e['id'], e['title'], duration=e.get('duration'),
                                      uploader=e.get('uploader'), channel=e.get('channel'))
            if not page['next_page']:
                return
            page = self._call_api(url, 'playlists', playlist_id, {'page': page['next_page']})['playlist']
