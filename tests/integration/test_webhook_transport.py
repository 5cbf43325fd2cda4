"""The webhook transport against a real HTTP receiver: signatures, outcomes, the SSRF guard."""

from __future__ import annotations

import base64
import json
import socket
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from standardwebhooks import Webhook, WebhookVerificationError

from negotiation.adapters.webhook_transport import (
    EXCERPT_CHARS,
    USER_AGENT,
    Outcome,
    UrlNotAllowed,
    WebhookSender,
    new_secret,
    resolve_target,
    signature_headers,
)
from tests import webhook_receiver
from tests.webhook_receiver import Receiver

receiver = webhook_receiver.receiver  # the fixture

PAYLOAD = {"type": "card.proposed", "data": {"card_id": "c_1", "note": "协商发货"}}
BODY = json.dumps(PAYLOAD, ensure_ascii=False).encode()


def signed(*secrets: str, body: bytes = BODY, event_id: str = "evt_1") -> dict[str, str]:
    return signature_headers(event_id, int(time.time()), body, secrets)


@pytest.fixture
def sender() -> Iterator[WebhookSender]:
    with WebhookSender(timeout_seconds=5, allow_private=True) as running:
        yield running


def timed_send(sender: WebhookSender, url: str, body: bytes = BODY) -> tuple[Outcome, float]:
    started = time.monotonic()
    outcome = sender.send(url, body, signed(new_secret(), body=body))
    return outcome, time.monotonic() - started


def localhost_is_ipv4() -> bool:
    return resolve_target("http://localhost/", allow_private=True).address == "127.0.0.1"


# Signatures


def test_signature_headers_follow_standard_webhooks() -> None:
    secret = new_secret()
    headers = signature_headers("evt_9", 1_700_000_000, BODY, [secret])
    assert headers["webhook-id"] == "evt_9"
    assert headers["webhook-timestamp"] == "1700000000"
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == USER_AGENT
    expected = Webhook(secret).sign(
        "evt_9", datetime.fromtimestamp(1_700_000_000, UTC), BODY.decode()
    )
    assert headers["webhook-signature"] == expected
    with pytest.raises(ValueError):
        signature_headers("evt_9", 1_700_000_000, BODY, [])


def test_new_secret_is_32_random_bytes_in_base64() -> None:
    first, second = new_secret(), new_secret()
    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"), validate=True)) == 32
    assert first != second


def test_one_secret_verifies_with_the_reference_library(
    receiver: Receiver, sender: WebhookSender
) -> None:
    secret = new_secret()
    outcome = sender.send(receiver.url, BODY, signed(secret))
    assert outcome.delivered
    assert receiver.verified(secret) == [PAYLOAD]
    (item,) = receiver.received
    assert item.headers["webhook-id"] == "evt_1"
    assert item.headers["content-type"] == "application/json"
    assert item.headers["user-agent"] == USER_AGENT
    assert item.body == BODY


def test_during_rotation_each_secret_alone_verifies(
    receiver: Receiver, sender: WebhookSender
) -> None:
    old, new = new_secret(), new_secret()
    assert sender.send(receiver.url, BODY, signed(old, new)).delivered
    (item,) = receiver.received
    assert len(item.headers["webhook-signature"].split(" ")) == 2
    assert receiver.verified(old) == [PAYLOAD]
    assert receiver.verified(new) == [PAYLOAD]
    with pytest.raises(WebhookVerificationError):
        receiver.verified(new_secret())


def test_a_tampered_body_fails_verification(receiver: Receiver, sender: WebhookSender) -> None:
    secret = new_secret()
    tampered = BODY.replace(b"c_1", b"c_2")
    assert sender.send(receiver.url, tampered, signed(secret)).delivered
    with pytest.raises(WebhookVerificationError):
        receiver.verified(secret)


# Outcomes


def test_2xx_is_delivered_with_status_and_excerpt(
    receiver: Receiver, sender: WebhookSender
) -> None:
    receiver.answer(202, b"accepted, thanks")
    outcome, _ = timed_send(sender, receiver.url)
    assert outcome == Outcome(202, outcome.latency_ms, None, "accepted, thanks")
    assert outcome.delivered
    assert outcome.latency_ms >= 0


def test_500_is_not_delivered_but_keeps_status_and_excerpt(
    receiver: Receiver, sender: WebhookSender
) -> None:
    receiver.answer(500, b"database down")
    outcome, _ = timed_send(sender, receiver.url)
    assert (outcome.status_code, outcome.error, outcome.excerpt) == (500, None, "database down")
    assert not outcome.delivered


def test_a_redirect_is_not_followed(receiver: Receiver, sender: WebhookSender) -> None:
    receiver.redirect(receiver.url_for("/elsewhere"))
    receiver.answer(200, path="/elsewhere")
    outcome, _ = timed_send(sender, receiver.url)
    assert outcome.status_code == 302
    assert outcome.error == "redirect not followed (302)"
    assert not outcome.delivered
    assert [item.path for item in receiver.received] == ["/hook"]


def test_a_slow_receiver_times_out(receiver: Receiver) -> None:
    receiver.answer(200, delay=2)
    with WebhookSender(timeout_seconds=0.5, allow_private=True) as sender:
        outcome, elapsed = timed_send(sender, receiver.url)
    assert outcome.status_code is None
    assert outcome.error == "timed out after 0.5 s"
    assert not outcome.delivered
    assert 0.4 < elapsed < 1.8
    assert len(receiver.wait_for(1)) == 1


def test_a_silent_receiver_times_out(receiver: Receiver) -> None:
    receiver.silent()
    with WebhookSender(timeout_seconds=0.5, allow_private=True) as sender:
        outcome, elapsed = timed_send(sender, receiver.url)
    assert outcome.error == "timed out after 0.5 s"
    assert outcome.status_code is None
    assert elapsed < 1.8


def test_a_closed_port_is_connection_refused(sender: WebhookSender) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outcome = sender.send(f"http://127.0.0.1:{port}/hook", BODY, signed(new_secret()))
    assert outcome == Outcome(None, outcome.latency_ms, "connection refused", "")


def test_nul_bytes_and_invalid_utf8_give_a_clean_excerpt(
    receiver: Receiver, sender: WebhookSender
) -> None:
    receiver.answer(400, b"bad\x00 input \xff\xfe here\x00")
    outcome, _ = timed_send(sender, receiver.url)
    assert outcome.status_code == 400
    assert outcome.excerpt == "bad input \ufffd\ufffd here"


def test_a_huge_body_is_cut_at_the_excerpt_length(
    receiver: Receiver, sender: WebhookSender
) -> None:
    receiver.answer(200, "é".encode() * 2_500_000)  # 5 MB
    outcome, _ = timed_send(sender, receiver.url)
    assert outcome.delivered
    assert outcome.excerpt == "é" * EXCERPT_CHARS


def test_an_endless_body_does_not_hold_the_sender(
    receiver: Receiver, sender: WebhookSender
) -> None:
    receiver.endless()
    outcome, elapsed = timed_send(sender, receiver.url)
    assert outcome.delivered
    assert outcome.excerpt == "x" * EXCERPT_CHARS
    assert elapsed < 2  # well before the 5 s deadline: the byte cap stopped the reading


def test_a_dribbling_body_stops_at_the_overall_deadline(receiver: Receiver) -> None:
    # Each byte comes well within the read timeout, so only the overall deadline ends it.
    receiver.endless(b"x", interval=0.1, duration=4)
    with WebhookSender(timeout_seconds=0.5, allow_private=True) as sender:
        outcome, elapsed = timed_send(sender, receiver.url)
    assert outcome.delivered
    assert outcome.status_code == 200
    assert 0 < len(outcome.excerpt) < 20
    assert elapsed < 1.8


def test_dribbled_headers_stop_at_the_overall_deadline(receiver: Receiver) -> None:
    receiver.slow_headers(interval=0.1, duration=4)
    with WebhookSender(timeout_seconds=0.5, allow_private=True) as sender:
        outcome, elapsed = timed_send(sender, receiver.url)
    assert outcome == Outcome(None, outcome.latency_ms, "timed out after 0.5 s", "")
    assert elapsed < 1.8


def test_connections_are_not_kept_alive(receiver: Receiver, sender: WebhookSender) -> None:
    timed_send(sender, receiver.url)
    timed_send(sender, receiver.url)
    first, second = receiver.received
    assert first.peer_port != second.peer_port


def test_cookies_set_by_a_receiver_are_not_sent_back(
    receiver: Receiver, sender: WebhookSender
) -> None:
    receiver.answer(200, headers={"set-cookie": "session=abc; Path=/"})
    timed_send(sender, receiver.url)
    timed_send(sender, receiver.url)
    assert all("cookie" not in item.headers for item in receiver.received)


def test_the_host_header_keeps_the_name_while_the_connection_is_pinned(
    receiver: Receiver, sender: WebhookSender
) -> None:
    if not localhost_is_ipv4():
        pytest.skip("localhost does not resolve to 127.0.0.1 first here")
    url = receiver.url_for("/hook", host="localhost")
    assert sender.send(url, BODY, signed(new_secret())).delivered
    (item,) = receiver.received
    assert item.headers["host"] == f"localhost:{receiver.port}"


def test_an_ipv6_literal_is_bracketed_in_url_and_host_header(sender: WebhookSender) -> None:
    try:
        ipv6 = Receiver(bind="::1")
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with ipv6:
        assert sender.send(ipv6.url, BODY, signed(new_secret())).delivered
        (item,) = ipv6.received
        assert item.headers["host"] == f"[::1]:{ipv6.port}"


# TLS: the connection goes to the pinned address, the certificate is checked against the name


@dataclass(frozen=True)
class Tls:
    server: ssl.SSLContext
    client: ssl.SSLContext


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder: Path = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    return Tls(server=server, client=ssl.create_default_context(cafile=str(cert_file)))


def test_tls_checks_the_certificate_against_the_name_not_the_pinned_address(tls: Tls) -> None:
    if not localhost_is_ipv4():
        pytest.skip("localhost does not resolve to 127.0.0.1 first here")
    with (
        Receiver(ssl_context=tls.server) as secure,
        WebhookSender(timeout_seconds=5, allow_private=True, ssl_context=tls.client) as sender,
    ):
        by_name = sender.send(secure.url_for("/hook", host="localhost"), BODY, signed(new_secret()))
        assert by_name.delivered, by_name.error
        # Same pinned address, but a name the certificate does not cover: had the first
        # connection been kept alive, this would have ridden on it unchecked.
        by_address = sender.send(secure.url, BODY, signed(new_secret()))
        assert by_address.status_code is None
        assert by_address.error is not None
        assert by_address.error.startswith("tls certificate not accepted")
        assert len(secure.received) == 1


# The SSRF guard


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/",
        "https://localhost/",
        "https://[::1]/",
        "https://10.0.0.1/",
        "https://192.168.1.1/",
        "https://172.16.0.1/",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/",
        "https://0.0.0.0/",
        "https://[::ffff:127.0.0.1]/",
        "https://2130706433/",
        "https://0x7f.1/",
        "https://[fd00:ec2::254]/",
        "https://224.0.0.1/",
        "https://[2002:7f00:1::]/",
        "https://[64:ff9b::a00:1]/",
        "https://[fe80::1]/",
    ],
)
def test_non_public_addresses_are_refused(url: str) -> None:
    with pytest.raises(UrlNotAllowed) as refused:
        resolve_target(url, allow_private=False)
    assert refused.value.reason.endswith(".")


def test_reasons_name_the_address_and_its_kind() -> None:
    with pytest.raises(UrlNotAllowed, match=r"^127\.0\.0\.1 is a loopback address\.$"):
        resolve_target("https://127.0.0.1/", allow_private=False)
    with pytest.raises(UrlNotAllowed, match=r"^2130706433 resolves to 127\.0\.0\.1, a loopback"):
        resolve_target("https://2130706433/", allow_private=False)
    with pytest.raises(UrlNotAllowed, match="the cloud metadata address"):
        resolve_target("https://169.254.169.254/latest/meta-data", allow_private=False)
    with pytest.raises(UrlNotAllowed, match="a private address"):
        resolve_target("https://10.0.0.1/", allow_private=False)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://93.184.216.34/", "must use https"),
        ("ftp://x", "Only https URLs"),
        ("https://user:pw@host/", "user name or password"),
        ("https:///nohost", "no host"),
        ("https://93.184.216.34/hook#part", "fragment"),
        ("https://does-not-exist.invalid/", "does not resolve"),
    ],
)
def test_malformed_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(UrlNotAllowed, match=reason):
        resolve_target(url, allow_private=False)


def test_a_public_literal_is_accepted() -> None:
    target = resolve_target("https://93.184.216.34/hook?x=1", allow_private=False)
    assert (target.scheme, target.host, target.port, target.address) == (
        "https",
        "93.184.216.34",
        443,
        "93.184.216.34",
    )


def test_private_addresses_are_allowed_when_asked(receiver: Receiver) -> None:
    target = resolve_target(receiver.url, allow_private=True)
    assert (target.scheme, target.address, target.port) == ("http", "127.0.0.1", receiver.port)


def test_the_sender_checks_the_url_again_at_send_time(receiver: Receiver) -> None:
    with WebhookSender(timeout_seconds=5, allow_private=False) as strict:
        outcome = strict.send(receiver.url, BODY, signed(new_secret()))
        pinned = strict.send(receiver.url_for("/hook").replace("http:", "https:"), BODY, {})
    assert outcome == Outcome(None, 0, "url not allowed: The URL must use https, not http.", "")
    assert pinned.error == "url not allowed: 127.0.0.1 is a loopback address."
    assert receiver.received == []


def test_a_name_rebound_to_an_internal_address_is_refused_at_send_time(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DNS is the one thing simulated: the name is public when registered, internal when sent.
    answers = iter(["93.184.216.34", "127.0.0.1"])

    def rebinding(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = f"https://rebind.example:{receiver.port}/hook"
    assert resolve_target(url, allow_private=False).address == "93.184.216.34"
    with WebhookSender(timeout_seconds=5, allow_private=False) as strict:
        outcome = strict.send(url, BODY, signed(new_secret()))
    assert outcome.error == (
        "url not allowed: rebind.example resolves to 127.0.0.1, a loopback address."
    )
    assert receiver.received == []
