"""The preview server: the site's pages over HTTP on this machine, reloaded when a source changes.

stdlib ``http.server`` (one thread per request). Routes: ``/`` the index,
``/p/<program>`` a page, ``/events`` the reload stream (server-sent events: a
message each time the sources change). Every response forbids scripts and
styles but its own (a fresh nonce each time) and is never cached. Requests must
name this machine (``Host``), so a web page elsewhere cannot read the preview
through a name that resolves here. It binds to loopback addresses only unless
told otherwise, and serves GET and HEAD only: it writes nothing.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import socket
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..problems import Problem, VariantsError, error
from ..source.listing import SLUG_PATTERN
from .site import Site

KEEP_ALIVE = 15.0  # seconds between comments on a quiet event stream (proxies drop silent ones)
WATCH_START = 10.0  # seconds a new preview waits for its watch to run (a slow disk: it serves meanwhile)
_PROGRAM = re.compile(r"/p/([^/]+)")
_LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")


def csp(nonce: str) -> str:
    """The Content-Security-Policy of every page: its own nonce'd style and script, nothing else runs."""
    return (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; img-src 'self' https: data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def bind_address(host: str, port: int, allow_remote: bool = False) -> tuple[socket.AddressFamily, str]:
    """The address family and address to listen on; refuses any but loopback unless ``allow_remote``."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise VariantsError(error(host, f"cannot resolve this address: {exc}", "serve")) from None
    addresses = [(family, str(info[0])) for family, _, _, _, info in found]
    if not allow_remote:
        remote = [a for _, a in addresses if not ipaddress.ip_address(a.split("%")[0]).is_loopback]
        if remote:
            message = f"refusing to serve the preview beyond this machine ({remote[0]} is not a loopback address)"
            raise VariantsError(error(host, message, "serve", hint="allow-remote"))
    family, address = addresses[0]
    return family, address


class PreviewServer(ThreadingHTTPServer):
    """The HTTP server of one ``Site``, with the generation the event streams wait on."""

    daemon_threads = True

    def __init__(self, site: Site, address: tuple[str, int], family: socket.AddressFamily, local_only: bool) -> None:
        self.address_family = family
        self.site = site
        self.local_only = local_only
        self.stopping = threading.Event()
        self.changes = threading.Condition()
        super().__init__(address, Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A reader that went away mid-answer is no error worth a word (the core prints nothing)."""

    def notify(self) -> None:
        """Tell every event stream that the sources changed (or that the server stops)."""
        with self.changes:
            self.changes.notify_all()


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"
    server_version = "variants-preview"

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not logged: the core prints nothing."""

    def _host_allowed(self) -> bool:
        if not self.server.local_only:
            return True
        host = (self.headers.get("Host") or "").lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name in _LOCAL_NAMES

    def _send(self, status: HTTPStatus, body: str, nonce: str, content_type: str = "text/html; charset=utf-8") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Content-Security-Policy", csp(nonce))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        try:
            self._get()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the reader went away
        except Exception as exc:  # a bug: say so in the page rather than drop the connection
            message = f"internal error: {type(exc).__name__}: {exc} (a bug: please report it)\n"
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, message, "", "text/plain; charset=utf-8")

    def _get(self) -> None:
        nonce = secrets.token_urlsafe(16)
        if not self._host_allowed():
            self._send(
                HTTPStatus.MISDIRECTED_REQUEST,
                "this preview answers only to this machine's names\n",
                nonce,
                "text/plain; charset=utf-8",
            )
            return
        url = urlsplit(self.path)
        site = self.server.site
        if url.path == "/":
            self._send(HTTPStatus.OK, site.index(nonce), nonce)
            return
        if url.path == "/events":
            self._events(parse_qs(url.query).get("since", [""])[0])
            return
        found = _PROGRAM.fullmatch(url.path)
        body = site.program(found[1], nonce) if found and SLUG_PATTERN.fullmatch(found[1]) else None
        if body is None:
            self._send(HTTPStatus.NOT_FOUND, site.not_found(nonce), nonce)
        else:
            self._send(HTTPStatus.OK, body, nonce)

    def _refuse(self) -> None:
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_PATCH = _refuse

    def _events(self, since: str) -> None:
        """Server-sent events: 'data: <generation>' each time the sources change, until the server stops."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.close_connection = True
        server = self.server
        seen = since

        def moved() -> bool:
            return server.stopping.is_set() or str(server.site.generation) != seen

        try:
            while not server.stopping.is_set():
                with server.changes:
                    server.changes.wait_for(moved, KEEP_ALIVE)
                if server.stopping.is_set():
                    break
                now = str(server.site.generation)
                self.wfile.write(f"data: {now}\n\n".encode() if now != seen else b": still here\n\n")
                self.wfile.flush()
                seen = now
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page went away


class Preview:
    """A running preview: its server, and the watch that reloads it. ``stop()`` ends both."""

    def __init__(self, server: PreviewServer, watch: bool = True) -> None:
        self.server = server
        self.watching = threading.Event()  # set once the watch runs: a change made after it is seen
        self._threads = [threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)]
        if watch:
            self._threads.append(threading.Thread(target=self._watch, daemon=True))
        for thread in self._threads:
            thread.start()
        if watch:
            self.watching.wait(WATCH_START)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def _watch(self) -> None:
        try:
            self._follow(force_polling=None)
        except Exception:  # the system's change notices failed (a watch limit): look for changes on a timer
            self._follow(force_polling=True)
        finally:  # a watch that could not start holds nobody up
            self.watching.set()

    def _follow(self, force_polling: bool | None) -> None:
        from ..source.watch import watch_sources

        root = self.server.site.root
        for changed in watch_sources(root, self.server.stopping, force_polling=force_polling, announce=True):
            if not changed:  # the announcement: the watch is running
                self.watching.set()
                continue
            self.server.site.changed()
            self.server.notify()

    def stop(self) -> None:
        """Stop serving: close the event streams, the watch and the socket."""
        self.server.stopping.set()
        self.server.notify()
        self.server.shutdown()
        self.server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)


def start_preview(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    allow_remote: bool = False,
    describe: Callable[[Problem], str] = Problem.one_line,
    watch: bool = True,
) -> Preview:
    """Serve the preview of the project at ``root`` in background threads (port 0: any free port)."""
    from ..source.project import load_project

    load_project(root)  # a folder that is no project fails here, not on the first request
    family, address = bind_address(host, port, allow_remote)
    try:
        server = PreviewServer(Site(root, describe), (address, port), family, local_only=not allow_remote)
    except OSError as exc:
        raise VariantsError(
            error(f"{host}:{port}", f"cannot listen here: {exc.strerror or exc}", "serve", hint="port-option")
        ) from None
    return Preview(server, watch)


__all__ = ["KEEP_ALIVE", "Preview", "PreviewServer", "bind_address", "csp", "start_preview"]
