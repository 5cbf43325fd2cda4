"""What an evidence file is, told from its first bytes rather than its name or header."""

from __future__ import annotations

import re
import unicodedata

# Magic numbers of the formats a seller's evidence comes in: photos, screenshots, PDFs.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif",
              "image/webp": ".webp", "application/pdf": ".pdf"}
UNSAFE_IN_NAME = re.compile(r"[/\\\"<>:|?*]")
NAME_LIMIT = 200


def sniff(head: bytes) -> str | None:
    """The media type of a file from its first bytes, or None if not one we know."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


def safe_filename(name: str | None, content_type: str) -> str:
    """A name fit to show and to offer for download: no path, no control characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    # Control and format characters (C0, C1, bidi overrides) could disguise the name or
    # steer a terminal that prints it; path and shell punctuation could do worse.
    base = "".join("_" if unicodedata.category(c).startswith("C") else c for c in base)
    base = UNSAFE_IN_NAME.sub("_", base).strip(" .")[:NAME_LIMIT]
    return base or f"evidence{EXTENSIONS.get(content_type, '')}"
