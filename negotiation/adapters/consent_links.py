"""Consent links signed and read back: HMAC-SHA256 under keys derived from ``SECRET_KEY``.

A token carries the card's id, the buyer's id and the link's expiry, signed, not sealed:
the holder may read what it names, and it names nothing the link's page does not show.
It is no credential of any account — it can only be read back into a
:class:`~negotiation.domain.consent.ConsentLink`, which answers its one card. The keys come
from configuration alone, so a link keeps working across restarts and on every server.

The page's form posts the token back with a nonce made when the page was drawn and
bound to the token, so a post that did not come from a page showing that link is told
apart without a session or a cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from itsdangerous import BadData, URLSafeSerializer

from negotiation.domain.consent import ConsentLink

LINKS = b"negotiation: consent links"
PAGE_NONCES = b"negotiation: consent link page nonces"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


class ConsentLinkSigner:
    def __init__(self, secret_key: str) -> None:
        self._serializer = URLSafeSerializer(
            secret_key, salt=LINKS,
            signer_kwargs={"digest_method": hashlib.sha256, "key_derivation": "hmac"})
        self._nonce_key = hmac.new(secret_key.encode(), PAGE_NONCES, hashlib.sha256).digest()

    def sign(self, link: ConsentLink) -> str:
        # The expiry to the microsecond, as stored: a link ends exactly when its card does.
        expires = (link.expires_at - EPOCH) // MICROSECOND
        return self._serializer.dumps([link.card_id, link.buyer_id, expires])

    def read(self, token: str) -> ConsentLink | None:
        """The link a token carries, or None when it was not signed here (forged,
        tampered with, signed under another ``SECRET_KEY``, or not a token at all)."""
        try:
            card_id, buyer_id, expires = self._serializer.loads(token)
            return ConsentLink(card_id=int(card_id), buyer_id=int(buyer_id),
                               expires_at=EPOCH + int(expires) * MICROSECOND)
        except (BadData, TypeError, ValueError, OverflowError):
            return None

    def page_nonce(self, token: str) -> str:
        """A fresh nonce for one drawing of the page of ``token``."""
        salt = secrets.token_urlsafe(12)
        return f"{salt}.{self._mac(salt, token)}"

    def nonce_matches(self, token: str, nonce: str) -> bool:
        salt, _, mac = nonce.partition(".")
        return bool(salt) and hmac.compare_digest(mac, self._mac(salt, token))

    def _mac(self, salt: str, token: str) -> str:
        return hmac.new(self._nonce_key, f"{salt}.{token}".encode(),
                        hashlib.sha256).hexdigest()
