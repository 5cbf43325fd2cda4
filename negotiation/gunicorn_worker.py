"""gunicorn's threaded worker, answering the errors gunicorn writes itself as problem
documents: a request line or header over the limits of gunicorn.conf.py, a malformed
request, a crash outside the app. ``worker_class`` in gunicorn.conf.py names it.

gunicorn decides the status of such an error in ``Worker.handle_error`` and writes an
HTML page with ``util.write_error``. The status is kept as gunicorn decides it (and its
warning logged as it logs it): the page is written into a stand-in for the socket, and
only its status line is read from it. gunicorn's message is not echoed, since it may
quote the offending request line back.
"""

from __future__ import annotations

import json
import logging
import uuid
from http import HTTPStatus
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

PROBLEM_TYPE_BASE = "/api/problems#"  # as negotiation.api.problems, without importing Flask
CODES = {414: "request_too_large", 431: "request_too_large", 403: "forbidden",
         501: "not_implemented"}
DETAILS = {
    414: "The request line is longer than this server accepts.",
    431: "The request's headers are larger, or more, than this server accepts.",
}
access_log = logging.getLogger("negotiation.access")


class _Page:
    """Takes what gunicorn would send to the client."""

    def __init__(self) -> None:
        self.written = b""

    def gettimeout(self) -> float:
        return 0.0  # so that ``util.write_nonblock`` sends at once, without toggling

    def setblocking(self, _flag: bool) -> None:
        pass

    def sendall(self, data: bytes) -> None:
        self.written += data

    def status(self) -> int | None:
        line = self.written.split(b"\r\n", 1)[0].split(b" ")
        return int(line[1]) if len(line) > 1 and line[1].isdigit() else None


def problem_answer(status: int, request_id: str) -> bytes:
    """A complete HTTP response carrying the problem document of ``status``."""
    code = CODES.get(status, "bad_request" if status < 500 else "internal_error")
    phrase = HTTPStatus(status).phrase
    detail = DETAILS.get(status, f"{phrase}: the server could not read this request."
                         if status < 500 else "Something went wrong on our side.")
    body = json.dumps({"type": PROBLEM_TYPE_BASE + code, "title": phrase, "status": status,
                       "detail": detail, "code": code, "request_id": request_id}).encode()
    head = (f"HTTP/1.1 {status} {phrase}\r\nConnection: close\r\n"
            f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n"
            f"X-Request-ID: {request_id}\r\n\r\n")
    return head.encode("latin-1") + body


class ProblemThreadWorker(ThreadWorker):
    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        page = _Page()
        super().handle_error(req, page, addr, exc)
        status = page.status()
        if status is None:
            return  # gunicorn wrote nothing: nothing to answer
        request_id = uuid.uuid4().hex
        access_log.info(json.dumps({
            "request_id": request_id, "method": None, "route": None, "status": status,
            "latency_ms": None, "caller": None,
            "client": addr[0] if isinstance(addr, tuple) and addr else None}))
        try:
            util.write_nonblock(client, problem_answer(status, request_id))
        except Exception:  # the client is gone: as gunicorn's own writer, give up quietly
            self.log.debug("Failed to send error message.")
