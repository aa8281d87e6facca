"""Per-client-IP limits for the web chat: concurrent WebSockets and turns per minute.

The client IP is the socket peer; ``X-Forwarded-For`` is read only when the gateway is
told it sits behind a proxy (``TRUST_PROXY_HEADERS``), and then its last entry (the
address our own proxy saw) counts, never one a client could have written. Counts live in
this process's memory (one gateway process serves the WebSockets).
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import deque
from collections.abc import Iterable

MAX_CONNECTIONS_PER_IP = 30
TURNS_PER_MINUTE_PER_IP = 90
UNKNOWN = "unknown"


def client_ip(peer: str | None, headers: Iterable[tuple[bytes, bytes]],
              trust_proxy_headers: bool) -> str:
    """The client's IP address as text (``"unknown"`` when there is none)."""
    if trust_proxy_headers:
        forwarded = [value for name, value in headers if name.lower() == b"x-forwarded-for"]
        if forwarded:
            last = forwarded[-1].decode("latin-1").split(",")[-1].strip()
            try:
                return str(ipaddress.ip_address(last))
            except ValueError:
                pass
    if not peer:
        return UNKNOWN
    try:
        return str(ipaddress.ip_address(peer))
    except ValueError:
        return peer[:64]


class IpLimits:
    """Concurrent connections and a sliding one-minute turn window, per IP."""

    def __init__(self, max_connections: int = MAX_CONNECTIONS_PER_IP,
                 turns_per_minute: int = TURNS_PER_MINUTE_PER_IP) -> None:
        self.max_connections = max_connections
        self.turns_per_minute = turns_per_minute
        self._connections: dict[str, int] = {}
        self._turns: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def open(self, ip: str) -> bool:
        """Count a new connection; False (not counted) when the IP is at its cap."""
        with self._lock:
            count = self._connections.get(ip, 0)
            if count >= self.max_connections:
                return False
            self._connections[ip] = count + 1
            return True

    def close(self, ip: str) -> None:
        with self._lock:
            count = self._connections.get(ip, 0) - 1
            if count > 0:
                self._connections[ip] = count
            else:
                self._connections.pop(ip, None)

    def connections(self, ip: str) -> int:
        with self._lock:
            return self._connections.get(ip, 0)

    def allow_turn(self, ip: str, now: float | None = None) -> bool:
        """Count a turn; False (not counted) when the IP took its share this minute."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            window = self._turns.setdefault(ip, deque())
            while window and moment - window[0] > 60:
                window.popleft()
            if len(window) >= self.turns_per_minute:
                return False
            window.append(moment)
            if len(self._turns) > 10_000:  # forget idle addresses
                idle = [k for k, v in self._turns.items() if not v or moment - v[-1] > 60]
                for key in idle:
                    self._turns.pop(key, None)
            return True
