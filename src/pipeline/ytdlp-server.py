"""A warm yt-dlp: imports yt_dlp once, then runs each request in a fork of itself (see ytdlp-server.ts).

Started with the configured yt-dlp's path. Its first line says whether it could import yt_dlp:
{"ready": true, "version": "2023.03.04"} or {"ready": false}. Then, for each JSON line read,
{"id": 1, "args": [...], "env": {...}, "stdout": "/dir/1.out", "stderr": "/dir/1.err"}, it
connects to those two Unix sockets, forks, and the fork runs yt-dlp's own main() on exactly those
arguments with the sockets as its stdout and stderr: the options, output and exit status are the
command line's, without a Python start. It answers {"id": 1, "pid": 1234} (or {"id": 1, "error":
"..."}) at once, and {"id": 1, "exit": 0} or {"id": 1, "signal": "SIGTERM"} when the fork ends.
Each fork leads a process group of its own: cancelling is the caller's signal to that group. When
stdin closes (the caller is gone or done), the forks still running are killed and this exits.
"""
import gc
import json
import os
import selectors
import signal
import socket
import sys
import traceback
import zipfile


def import_ytdlp(path):
    # The official release is a zip application: importable once it is on the path. A script
    # such as Debian's imports the yt_dlp its own interpreter (the one running this) has.
    if zipfile.is_zipfile(path):
        sys.path.insert(0, path)
    import yt_dlp
    from yt_dlp.extractor import gen_extractor_classes

    # The extractor classes (plugins among them) load on first use: load them once, for every fork.
    list(gen_extractor_classes())
    return yt_dlp


def answer(message):
    sys.stdout.write(json.dumps(message) + '\n')
    sys.stdout.flush()


def connect(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError:
        sock.close()
        raise
    return sock


def exit_code(code):
    """The status Python itself would exit with for SystemExit(code)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def run_fork(yt_dlp, request, streams):
    """In the fork: become the yt-dlp command line the request describes, then exit."""
    os.setpgid(0, 0)
    null = os.open(os.devnull, os.O_RDONLY)
    for fd, source in ((0, null), (1, streams[0].fileno()), (2, streams[1].fileno())):
        os.dup2(source, fd)
    os.environ.clear()
    os.environ.update(request['env'])
    try:
        yt_dlp.main(request['args'])
        code = 0
    except SystemExit as stop:
        code = exit_code(stop.code)
    except BaseException:
        traceback.print_exc()
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # the reader went away; the exit status still tells
            pass
    os._exit(code)


def start(yt_dlp, request, selector):
    try:
        streams = [connect(request['stdout']), connect(request['stderr'])]
    except OSError as err:
        return answer({'id': request['id'], 'error': str(err)})
    pid = os.fork()
    if pid == 0:
        run_fork(yt_dlp, request, streams)
    for sock in streams:
        sock.close()
    try:
        # Here too, so that the group exists before the caller can signal it.
        os.setpgid(pid, pid)
    except OSError:
        pass
    selector.register(os.pidfd_open(pid), selectors.EVENT_READ, (request['id'], pid))
    answer({'id': request['id'], 'pid': pid})


def reap(key, selector):
    request_id, pid = key.data
    selector.unregister(key.fd)
    os.close(key.fd)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        answer({'id': request_id, 'signal': signal.Signals(os.WTERMSIG(status)).name})
    else:
        answer({'id': request_id, 'exit': os.WEXITSTATUS(status)})


def serve(yt_dlp):
    selector = selectors.DefaultSelector()
    selector.register(0, selectors.EVENT_READ)
    pending = b''
    while True:
        for key, _ in selector.select():
            if key.data is not None:
                reap(key, selector)
                continue
            chunk = os.read(0, 65536)
            if not chunk:
                for other in selector.get_map().values():
                    if other.data is not None:
                        os.killpg(other.data[1], signal.SIGKILL)
                return
            *lines, pending = (pending + chunk).split(b'\n')
            for line in lines:
                start(yt_dlp, json.loads(line), selector)


def main():
    try:
        yt_dlp = import_ytdlp(sys.argv[1])
        os.pidfd_open  # Linux 5.3 and Python 3.9 or later; without it, the caller runs yt-dlp itself
    except Exception:
        answer({'ready': False})
        return
    # What is imported now stays shared with every fork instead of being copied on first touch.
    gc.freeze()
    answer({'ready': True, 'version': yt_dlp.version.__version__})
    serve(yt_dlp)


main()
