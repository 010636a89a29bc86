"""Which of yt-dlp's extractors suit a URL, without touching the network (see extractors.ts).

Started once per process with the configured yt-dlp's path; imports yt_dlp once, says whether it
could on its first line, then answers one JSON line per JSON line read until stdin closes:
{"url": "..."} -> {"extractors": ["standin", "generic"]}, in the order yt-dlp tries them.
"""
import json
import sys
import zipfile


def load_extractors(ytdlp):
    # The official release is a zip application: importable once it is on the path. A script
    # such as Debian's imports the yt_dlp its own interpreter (the one running this) has.
    if zipfile.is_zipfile(ytdlp):
        sys.path.insert(0, ytdlp)
    from yt_dlp import YoutubeDL

    # The extractors a YoutubeDL registers, plugins included, in the order it tries them on a URL.
    return list(YoutubeDL({'quiet': True, 'no_warnings': True})._ies.values())


def suitable(extractors, url):
    names = []
    for ie in extractors:
        try:
            if ie.suitable(url):
                names.append(ie.IE_NAME)
        except Exception:  # an extractor's own regex or check failing says nothing about the rest
            pass
    return names


def main():
    try:
        extractors = load_extractors(sys.argv[1])
    except Exception:
        print(json.dumps({'ready': False}), flush=True)
        return
    print(json.dumps({'ready': True}), flush=True)
    for line in sys.stdin:
        print(json.dumps({'extractors': suitable(extractors, json.loads(line)['url'])}), flush=True)


main()
