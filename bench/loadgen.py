"""A small HTTP/1.1 load generator in pure Python: the fallback when wrk is not installed.

It does what ``bench/load.lua`` does under wrk (same modes, same files, same output
line), with one asyncio task per keep-alive connection in a single process and raw
request bytes, so it stays cheap enough to share two cores with the servers. It is
still several times more expensive per request than wrk: figures taken with it are
lower for *both* targets, and only comparable with each other (the ratio), not with
figures taken with wrk.

    python bench/loadgen.py --port 8000 --connections 8 --duration 10 \
        --mode cycles --file orders.txt --owner-token T1 --buyer-token T2 \
        --proposed-ship-by 2026-12-01T00:00:00Z

Prints one line ``BENCH_JSON {...}`` with the same keys as the wrk script.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import time
from dataclasses import dataclass, field

ID_RE = re.compile(rb'"id":\s*(\d+)')
LENGTH_RE = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
CLOSE_RE = re.compile(rb"\r\nconnection:\s*close", re.IGNORECASE)


@dataclass
class Stats:
    latencies_us: list[int] = field(default_factory=list)
    ok: int = 0
    failed: int = 0
    cycles: int = 0
    exhausted: int = 0
    used: int = 0
    errors: dict[str, int] = field(default_factory=lambda: {
        "connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0})


def build(method: str, path: str, host: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Connection:
    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def roundtrip(self, raw: bytes, stats: Stats) -> tuple[int, bytes] | None:
        """Send one request, read one response; None (and counted) on an I/O error."""
        for attempt in (1, 2):
            if self.writer is None:
                try:
                    await self.open()
                except OSError:
                    stats.errors["connect"] += 1
                    return None
            assert self.reader is not None and self.writer is not None
            start = time.perf_counter_ns()
            try:
                self.writer.write(raw)
                head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), self.timeout)
                match = LENGTH_RE.search(head)
                body = await self.reader.readexactly(int(match.group(1))) if match else b""
            except TimeoutError:
                stats.errors["timeout"] += 1
                await self.close()
                return None
            except (OSError, asyncio.IncompleteReadError):
                await self.close()
                if attempt == 1:
                    continue  # a keep-alive connection the server had closed: reopen once
                stats.errors["read"] += 1
                return None
            stats.latencies_us.append((time.perf_counter_ns() - start) // 1000)
            if CLOSE_RE.search(head):
                await self.close()
            status = int(head[9:12])
            if status > 399:
                stats.errors["status"] += 1
            return status, body
        return None


async def drive(args: argparse.Namespace, index: int, lines: list[str], stats: Stats,
                deadline: float) -> None:
    host = f"{args.host}:{args.port}"
    connection = Connection(args.host, args.port, args.timeout)
    owner = {"Authorization": f"Bearer {args.owner_token}",
             "Content-Type": "application/json"}
    buyer = {"Authorization": f"Bearer {args.buyer_token}"}
    proposal = json.dumps({"proposed_ship_by": args.proposed_ship_by,
                           "reason": "stock_shortage"}).encode()
    mine = lines[index::args.connections]
    position = 0
    try:
        while time.monotonic() < deadline:
            if position >= len(mine):
                stats.exhausted = 1
                return
            item = mine[position]
            position += 1
            stats.used += 1
            if args.mode == "cycles":
                raw = build("POST", f"/api/v1/orders/{item}/negotiation/cards", host, owner,
                            proposal)
            else:
                raw = build("POST", "/insert", host, {"Content-Type": "application/json"},
                            json.dumps({"payload": item}).encode())
            answer = await connection.roundtrip(raw, stats)
            card_id = _count(answer, stats)
            if args.mode != "cycles" or answer is None or answer[0] != 201 or not card_id:
                continue
            if time.monotonic() >= deadline:
                return
            answer = await connection.roundtrip(
                build("POST", f"/api/v1/cards/{card_id}/accept", host, buyer, b""), stats)
            _count(answer, stats)
            if answer is not None and answer[0] == 200:
                stats.cycles += 1
    finally:
        await connection.close()


def _count(answer: tuple[int, bytes] | None, stats: Stats) -> str | None:
    if answer is None:
        return None
    status, body = answer
    match = ID_RE.search(body)
    if 200 <= status < 300 and match:
        stats.ok += 1
        return match.group(1).decode()
    stats.failed += 1
    return None


def percentile(ordered: list[int], p: float) -> int:
    if not ordered:
        return 0
    return ordered[min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1)]


async def main_async(args: argparse.Namespace) -> dict[str, object]:
    with open(args.file, encoding="utf-8") as handle:
        lines = [line.strip() for line in handle if line.strip()]
    stats = Stats()
    start = time.monotonic()
    deadline = start + args.duration
    await asyncio.gather(*(drive(args, i, lines, stats, deadline)
                           for i in range(args.connections)))
    elapsed = time.monotonic() - start
    ordered = sorted(stats.latencies_us)
    return {
        "requests": len(ordered), "duration_us": int(elapsed * 1e6),
        "p50_us": percentile(ordered, 50), "p90_us": percentile(ordered, 90),
        "p99_us": percentile(ordered, 99),
        "mean_us": sum(ordered) / len(ordered) if ordered else 0.0,
        "max_us": ordered[-1] if ordered else 0, "ok": stats.ok, "failed": stats.failed,
        "cycles": stats.cycles, "exhausted": stats.exhausted, "used": stats.used,
        "errors": stats.errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds (bounded)")
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--mode", choices=("cycles", "insert"), required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--owner-token", default="")
    parser.add_argument("--buyer-token", default="")
    parser.add_argument("--proposed-ship-by", default="")
    args = parser.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("this generator only targets the loopback interface")
    args.duration = min(args.duration, 600.0)
    print("BENCH_JSON " + json.dumps(asyncio.run(main_async(args))), flush=True)


if __name__ == "__main__":
    main()
