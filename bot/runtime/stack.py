"""Bring the whole assistant up (stores, seed, model, action server, Rasa, gateway) and down.

Used by ``make run`` (foreground until Ctrl-C / SIGTERM) and ``make test``
(up, run the tests, down). Only processes this run started are stopped. The
secrets come from the environment or ``<run dir>/secrets.env`` (generated once);
every setting is validated before anything starts.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from bot.bearer import bearer_header
from bot.config import ROOT, ActionServerSettings, RasaServerSettings, Settings, SettingsError
from bot.runtime import procs, secret_file, stores, training
from bot.runtime.endpoints import render_endpoints
from channels.settings import ChannelSettings

PY = sys.executable


def http_ok(url: str, headers: dict[str, str] | None = None) -> bool:
    """True when a GET of ``url`` answers 2xx within 2 s (any failure: not ready yet)."""
    try:
        request = urllib.request.Request(url, headers=headers or {})
        with urllib.request.urlopen(request, timeout=2) as response:
            return 200 <= response.status < 300
    except Exception:  # noqa: BLE001 - any failure means "not ready yet"
        return False


def validate_settings(env: dict[str, str]) -> None:
    """Every process's settings as that process will see them; RuntimeError naming the problem."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        for settings_class in (Settings, ChannelSettings, ActionServerSettings,
                               RasaServerSettings):
            settings_class.load()
    except SettingsError as exc:
        raise RuntimeError(str(exc)) from None
    finally:
        os.environ.clear()
        os.environ.update(saved)


def rasa_has_model(rasa_url: str, token: str) -> bool:
    """True when the Rasa server at ``rasa_url`` answers ``/status`` with a loaded model."""
    try:
        with urllib.request.urlopen(f"{rasa_url}/status?token={token}", timeout=2) as response:
            return b"model_file" in response.read() and response.status == 200
    except Exception:  # noqa: BLE001
        return False


# Rasa and action servers run one BLAS / TensorFlow thread each: with several processes on
# few cores, idle BLAS workers spinning in sched_yield and TensorFlow's spinning thread pools
# cost a third of a Rasa server's CPU as system time under load (strace -c, bench/load.py).
# The environment's own values win.
SERVING_THREADS = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
}


def serving_threads() -> dict[str, str]:
    """Thread settings for a serving process (Rasa, actions): ours unless the environment
    sets its own."""
    return {k: os.environ.get(k, v) for k, v in SERVING_THREADS.items()}


def gateway_argv(port: str | int) -> list[str]:
    """The gateway's command line, on 127.0.0.1:``port``; its environment names the Rasa
    servers (``RASA_URLS``) and the secrets."""
    return [
        PY, "-m", "uvicorn", "channels.gateway:app",
        "--host", "127.0.0.1", "--port", str(port),
        "--ws", "wsproto", "--ws-max-size", "65536",
        # JSON lines, phone numbers masked (bot/logging_setup.py)
        "--log-config", str(ROOT / "bot" / "logging_gateway.json"),
    ]


@dataclass
class Stack:
    """One run's services; ``env`` is the environment every child sees."""

    env: dict[str, str]
    run_dir: Path = procs.RUN_DIR
    started: list[procs.Managed] = field(default_factory=list)

    @classmethod
    def from_environment(
        cls, overrides: dict[str, str] | None = None, run_dir: Path = procs.RUN_DIR
    ) -> Stack:
        env = {
            "MONGODB_URI": "mongodb://127.0.0.1:27017",
            "MONGODB_DB": "pharmacy",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "RASA_PORT": "5005",
            "ACTION_PORT": "5055",
            "GATEWAY_PORT": "8000",
            "DEMO_MODE": "1",  # local runs sign in as seeded demo customers
            # Rasa processes (ports RASA_PORT, RASA_PORT+1, ...): one per core by default.
            "RASA_PROCESSES": str(min(os.cpu_count() or 1, 4)),
            # Action servers (ports ACTION_PORT, ACTION_PORT+1, ...): an action takes a
            # tenth of a turn's CPU, so one serves two Rasa processes.
            "ACTION_PROCESSES": str(max(1, min(os.cpu_count() or 1, 4) // 2)),
        }
        env.update({k: v for k, v in os.environ.items() if k in env})
        env.update(overrides or {})
        env.update(secret_file.ensure_secrets(run_dir))  # the environment's values win
        env.update(
            {
                "RASA_TELEMETRY_ENABLED": "false",
                "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1",
                "TOKENIZERS_PARALLELISM": "false",
            "TQDM_DISABLE": "1",  # no progress bars in make/CI logs
                "PYTHONPATH": str(ROOT),
            }
        )
        env["RASA_URL"] = f"http://127.0.0.1:{env['RASA_PORT']}"
        first_port = int(env["RASA_PORT"])
        env["RASA_URLS"] = ",".join(f"http://127.0.0.1:{first_port + n}"
                                    for n in range(max(1, int(env["RASA_PROCESSES"]))))
        # A Rasa process killed mid-turn holds its conversation's lock until the lock's
        # lifetime ends; the retried turn waits that long (Rasa's default is 60 s).
        env["TICKET_LOCK_LIFETIME"] = os.environ.get("TICKET_LOCK_LIFETIME", "15")
        env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{env['ACTION_PORT']}/webhook"
        return cls(env=env, run_dir=run_dir)

    @property
    def action_ports(self) -> list[str]:
        """Ports of the action servers: ACTION_PORT, ACTION_PORT+1, ... (ACTION_PROCESSES)."""
        first = int(self.env["ACTION_PORT"])
        count = max(1, int(self.env.get("ACTION_PROCESSES") or 1))
        return [str(first + n) for n in range(count)]

    def rasa_endpoints(self, n: int) -> Path:
        """Write the endpoints file of Rasa process ``n`` (0-based). Rasa takes one action
        URL, so the action servers are shared out: process n calls action server n mod M."""
        ports = self.action_ports
        action_url = f"http://127.0.0.1:{ports[n % len(ports)]}/webhook"
        return render_endpoints(
            {**self.env, "ACTION_ENDPOINT_URL": action_url},
            self.run_dir / ("endpoints.yml" if n == 0 else f"endpoints-{n + 1}.yml"))

    # -- helpers ------------------------------------------------------------
    def _start(self, name: str, argv: list[str],
               env: dict[str, str] | None = None) -> procs.Managed:
        with procs.stop_signals_held():  # recorded in `started` before a stop can look
            proc = procs.start(name, argv, env={**self.env, **(env or {})},
                               run_dir=self.run_dir)
            self.started.append(proc)
        return proc

    def _check_port_free(self, port: str, what: str) -> None:
        if procs.port_open("127.0.0.1", int(port)):
            raise RuntimeError(
                f"port {port} for the {what} is already in use: stop what runs there "
                f"(`make stop` stops a previous run) or choose another port"
            )

    def _run(self, argv: list[str]) -> None:
        subprocess.run(argv, cwd=ROOT, env={**os.environ, **self.env}, check=True)

    # -- lifecycle ----------------------------------------------------------
    def start_stores(self, data_dir: Path) -> None:
        """Start SecantusDB / Redis where nothing answers; each is in ``started`` before the
        wait for it to answer, so a stop signal during that wait stops it too."""
        proc = stores.ensure_mongo(self.env["MONGODB_URI"], data_dir / "mongo", self.run_dir,
                                   record=self.started.append)
        if proc:
            print(f"  started SecantusDB (MongoDB wire protocol), pid {proc.pid}", flush=True)
            self.env["MONGODB_URI"] = stores.without_retryable_writes(self.env["MONGODB_URI"])
        proc = stores.ensure_redis(self.env["REDIS_URL"], self.run_dir,
                                   record=self.started.append)
        if proc:
            print(f"  started embedded Redis, pid {proc.pid}", flush=True)

    def seed(self, always: bool = False) -> None:
        self._run([PY, "-m", "bot", "seed"] + ([] if always else ["--if-needed"]))

    def train(self) -> None:
        os.environ.update(self.env)
        training.train_if_stale()

    def start_servers(self, gateway: bool = True) -> None:
        env = self.env
        action_ports = self.action_ports
        for port in action_ports:
            self._check_port_free(port, "action server")
        rasa_ports = [url.rsplit(":", 1)[1] for url in env["RASA_URLS"].split(",")]
        for port in rasa_ports:
            self._check_port_free(port, "Rasa server")
        if gateway:
            self._check_port_free(env["GATEWAY_PORT"], "gateway")
        action_procs = [
            self._start("actions" if n == 0 else f"actions-{n + 1}",
                        [PY, "-m", "bot.runtime.action_server"],
                        env={"ACTION_PORT": port, **serving_threads()})
            for n, port in enumerate(action_ports)
        ]
        rasa_procs = []
        for n, port in enumerate(rasa_ports):
            endpoints = self.rasa_endpoints(n)
            rasa_procs.append(self._start(
                "rasa" if n == 0 else f"rasa-{n + 1}",
                [PY, "-m", "bot.runtime.rasa_server", "--port", port,
                 "--model", str(training.MODEL_PATH), "--endpoints", str(endpoints),
                 "--credentials", "credentials.yml"],
                env=serving_threads(),
            ))
        if gateway:
            gw = self._start("gateway", gateway_argv(env["GATEWAY_PORT"]))
        # Notification worker (bot/notify): Dramatiq on this Redis plus the outbox sweeper.
        self._start("notify-worker", [PY, "-m", "bot.notify", "worker"])
        for actions, port in zip(action_procs, action_ports, strict=True):
            procs.wait_until(
                functools.partial(http_ok, f"http://127.0.0.1:{port}/health",
                                  bearer_header(env["ACTION_SERVER_TOKEN"])),
                120,
                f"action server on port {port}",
                actions,
            )
        for rasa, port in zip(rasa_procs, rasa_ports, strict=True):
            procs.wait_until(
                functools.partial(rasa_has_model, f"http://127.0.0.1:{port}",
                                  env["RASA_AUTH_TOKEN"]),
                600,  # a model load takes minutes on a busy machine
                f"Rasa server on port {port}",
                rasa,
            )
        if gateway:
            procs.wait_until(
                lambda: http_ok(f"http://127.0.0.1:{env['GATEWAY_PORT']}/healthz"),
                60,
                "gateway",
                gw,
            )

    def up(self, data_dir: Path, gateway: bool = True, reseed: bool = False) -> None:
        validate_settings(self.env)
        print("starting stores ...", flush=True)
        self.start_stores(data_dir)
        print("loading demo data if needed ...", flush=True)
        self.seed(always=reseed)
        self.train()
        print("starting action server, Rasa server and gateway ...", flush=True)
        self.start_servers(gateway=gateway)

    def down(self) -> None:
        for proc in reversed(self.started):
            proc.stop()
        self.started.clear()

    def describe(self) -> str:
        env = self.env
        mongo = urlparse(env["MONGODB_URI"])
        demo = env["DEMO_MODE"].strip().lower() in ("1", "true", "yes", "on")
        return "\n".join(
            [
                "",
                "The pharmacy assistant is running:",
                f"  chat in your browser:  http://127.0.0.1:{env['GATEWAY_PORT']}/",
                f"  health:                http://127.0.0.1:{env['GATEWAY_PORT']}/healthz",
                f"  Rasa (gateway only):   {env['RASA_URLS'].replace(',', ', ')} "
                f"({env['RASA_PROCESSES']} processes) /webhooks/gateway/webhook "
                "(Bearer $RASA_CHANNEL_TOKEN)",
                f"  action servers:        "
                f"{', '.join(f'http://127.0.0.1:{p}' for p in self.action_ports)} /health "
                f"({len(self.action_ports)}; Bearer $ACTION_SERVER_TOKEN)",
                f"  MongoDB:               {mongo.hostname}:{mongo.port or 27017} "
                f"db={env['MONGODB_DB']}",
                f"  Redis:                 {env['REDIS_URL']}",
                f"  demo mode:             {'on' if demo else 'off'} (DEMO_MODE)",
                f"  secrets:               {self.run_dir / secret_file.FILE_NAME} (mode 0600; "
                "the environment's values win)",
                f"  logs:                  {self.run_dir / 'logs'}/",
                "Press Ctrl-C to stop everything this run started.",
            ]
        )
