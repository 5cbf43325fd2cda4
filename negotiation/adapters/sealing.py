"""Secrets kept in the database, sealed: an answer replayed for an ``Idempotency-Key`` may
carry a secret shown once (a new account's token, a new API key), and a webhook endpoint's
signing secret must be read back to sign; a dump of the database alone must give neither
away. Each purpose has its own key, derived from the app's ``SECRET_KEY``, which lives
outside the database.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken

REPLAYS = b"negotiation: idempotent replays"
WEBHOOK_SECRETS = b"negotiation: webhook signing secrets"
OPENED_KEPT = 256  # sealed texts are short: a secret, or an answer of a few KB


class Seal:
    def __init__(self, secret_key: str, purpose: bytes) -> None:
        derived = hmac.new(secret_key.encode(), purpose, hashlib.sha256).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str) -> str | None:
        """The plain text, or None when it was sealed under another ``SECRET_KEY``.
        A sealed text never changes, so the last ones opened are kept: a webhook worker
        opens the same few secrets for every batch it signs."""
        return self._open(sealed)

    @functools.lru_cache(maxsize=OPENED_KEPT)  # noqa: B019 - a Seal lives as long as its app
    def _open(self, sealed: str) -> str | None:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return None
