"""Rate limits (OWASP API4:2023), with Flask-Limiter.

On the JSON API, reads and writes each have a budget per credential: the bearer token's
SHA-256 digest, so the limit applies before any database work and no token reaches the
limiter's storage; a request without a token counts against its client address.
Failed authentication (401) counts per client address under a tighter budget, since
many failures from one address are guessing or a leaked key still in use: once it is
spent, each further failure from that address answers 429 instead of 401 until the window
passes. A valid key is never refused for its neighbours' failures, so one client behind a
shared address (a NAT, a proxy not yet configured in ``TRUSTED_PROXY_COUNT``) cannot lock
out the others; keys are 256 random bits, so the budget slows scanning rather than
guards a guessable secret. On the web pages only failed sign-ins are limited, per address.

A refusal answers 429 ``rate_limited`` with ``Retry-After`` in seconds: a problem
document on the API, Flask's page on the web.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_limiter import ApplicationLimit, Limiter, RateLimitExceeded, RequestLimit
from limits import parse
from werkzeug.exceptions import TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix

from negotiation.api import API_ROOT, problems
from negotiation.clock import seconds_until_wall_time
from negotiation.services.accounts.accounts import hash_token

DEFAULTS = {
    "RATELIMIT_ENABLED": True,
    # Per process: with several workers or machines, give a shared redis:// URL.
    "RATELIMIT_STORAGE_URL": "memory://",
    "RATELIMIT_READS": "600 per minute",
    "RATELIMIT_WRITES": "120 per minute",
    "RATELIMIT_AUTH_FAILURES": "20 per 10 minutes",
    "RATELIMIT_SIGN_IN_FAILURES": "10 per 10 minutes",
    # How many proxies in front set X-Forwarded-For; 0 trusts none of it.
    "TRUSTED_PROXY_COUNT": 0,
}
# A Redis that stops answering must not hold every request: fail fast, then fall back.
REDIS_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
READS = ("GET", "HEAD", "OPTIONS")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
SIGN_IN = "web.sign_in"


def caller_key() -> str:
    """Whose budget a request spends: its credential's digest, else its address."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "key:" + hash_token(token.strip())
    return client_address()


def client_address() -> str:
    return "addr:" + (request.remote_addr or "unknown")


def _not_api() -> bool:
    return not (request.path == API_ROOT or request.path.startswith(API_ROOT + "/"))


def _not_sign_in() -> bool:
    return request.endpoint != SIGN_IN


def _failed(response: Response) -> bool:
    return response.status_code >= 400  # a sign-in that worked redirects


def _refusal(limit: RequestLimit) -> Response:
    # Window stats are read from the storage, so every process tells the same wait.
    wait = seconds_until_wall_time(limit.window.reset_time)
    if _not_api():
        # Flask's kind of response: Flask-Limiter ignores any other.
        page = TooManyRequests("Too many attempts; try again later.", retry_after=wait)
        return Response(page.get_body(), status=429, headers=page.get_headers())
    return problems.problem(429, "rate_limited",
                            f"Too many requests; retry in {wait} s.",
                            headers={"Retry-After": str(wait)})


def _refused(error: RateLimitExceeded) -> Response:
    return error.get_response()  # built by ``_refusal`` when the limit was breached


def _limits(app: Flask) -> list[ApplicationLimit]:
    config = app.config
    return [
        ApplicationLimit(config["RATELIMIT_READS"], key_function=caller_key, scope="reads",
                         methods=READS, exempt_when=_not_api),
        ApplicationLimit(config["RATELIMIT_WRITES"], key_function=caller_key, scope="writes",
                         methods=WRITES, exempt_when=_not_api),
        ApplicationLimit(config["RATELIMIT_SIGN_IN_FAILURES"], key_function=client_address,
                         scope="sign-in-failures", methods=("POST",),
                         exempt_when=_not_sign_in, deduct_when=_failed),
    ]


def init_app(app: Flask) -> None:
    """Call before the API's hooks: a refused request must cost no database work."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    if proxies := int(app.config["TRUSTED_PROXY_COUNT"]):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    storage = app.config["RATELIMIT_STORAGE_URL"]
    if not storage.startswith("memory://"):
        # The storage unreachable: go on with per-process counts rather than answer 500s.
        app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
        app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    if storage.startswith(("redis://", "rediss://")):
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", REDIS_OPTIONS)
    limiter = Limiter(
        caller_key, application_limits=_limits(app), storage_uri=storage,
        on_breach=_refusal,
        # Flask-Limiter skips requests no rule matched; a stream of 401s on made-up
        # paths must count too.
        request_identifier=lambda: request.endpoint or "unmatched")
    limiter.init_app(app)
    failures = parse(app.config["RATELIMIT_AUTH_FAILURES"])

    @app.after_request
    def count_failed_authentication(response: Response) -> Response:
        if response.status_code != 401 or _not_api() or not limiter.enabled:
            return response
        # The deployment's prefix too, as Flask-Limiter's own keys carry it.
        key = (app.config.get("RATELIMIT_KEY_PREFIX", ""), "auth-failures", client_address())
        if limiter.limiter.hit(failures, *key):
            return response
        stats = limiter.limiter.get_window_stats(failures, *key)
        wait = seconds_until_wall_time(stats.reset_time)
        return problems.problem(429, "rate_limited", "Too many failed authentications from "
                                f"this address; retry in {wait} s.",
                                headers={"Retry-After": str(wait)})
    # Most page and probe requests meet no limit: spare them Flask-Limiter's resolution.
    limiter.request_filter(lambda: _not_api() and _not_sign_in())
    app.register_error_handler(RateLimitExceeded, _refused)
