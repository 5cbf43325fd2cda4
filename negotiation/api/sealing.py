"""Stored answers, sealed: an answer replayed for an ``Idempotency-Key`` may carry a secret
shown once (a new account's token, a new API key), and a dump of the database alone must
not give it away. The sealing key is derived from the app's ``SECRET_KEY``, which lives
outside the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken

PURPOSE = b"negotiation: idempotent replays"


class ReplaySeal:
    def __init__(self, secret_key: str) -> None:
        derived = hmac.new(secret_key.encode(), PURPOSE, hashlib.sha256).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, body: str) -> str:
        return self._fernet.encrypt(body.encode()).decode()

    def open(self, sealed: str) -> str | None:
        """The answer, or None when it was sealed under another ``SECRET_KEY``."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return None
