"""A tiny webhook receiver (``flask --app wsgi webhook-receiver``), to watch deliveries
arrive and verify them as any receiver would: with the reference Standard Webhooks
library and the endpoint's secret. For trying the service out, not for production."""

from __future__ import annotations

import json
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

MAX_BODY = 1024 * 1024


def serve(host: str, port: int, secret: str, echo: Callable[[str], None]) -> None:
    """Answer each POST 204 when its signature verifies, 400 when not; until stopped."""
    verifier = Webhook(secret)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = min(int(self.headers.get("content-length") or 0), MAX_BODY)
            body = self.rfile.read(length)
            try:
                event = verifier.verify(body, dict(self.headers.items()))
            except (WebhookVerificationError, ValueError) as err:
                echo(f"REFUSED  {self.headers.get('webhook-id')}: {err}")
                self.send_response(400)
            else:
                echo(_line(event))
                self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # one line per delivery, from ``echo``

    server = ThreadingHTTPServer((host, port), Handler)
    echo(f"listening on http://{host}:{server.server_address[1]}/ ; verifying signatures")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _line(event: dict[str, Any]) -> str:
    order = event.get("order_no") or "-"
    data = json.dumps(event.get("data", {}), ensure_ascii=False)
    return f"verified event {event['id']:<6} {event['type']:<28} {order:<24} {data}"
