"""How an evidence file is served, by the JSON API and the web pages alike."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response

from negotiation.services.reports.views import EvidenceView


def evidence_response(view: EvidenceView, data: bytes) -> Response:
    """Always a download, never drawn in our origin: the file is a seller's content, so
    it gets the type recognised from its bytes, no sniffing and a sandbox."""
    response = Response(data, mimetype=view.content_type)
    response.headers["Content-Disposition"] = _attachment(view.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _attachment(filename: str) -> str:
    """``Content-Disposition``: an ASCII fallback name, and the real one encoded."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
