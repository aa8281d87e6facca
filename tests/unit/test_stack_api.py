"""bot/runtime/stack.py's public helpers: one gateway command line for the stack and the bench,
and readiness checks the bench imports without reaching into private names."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

from bot.runtime import procs, stack
from bot.runtime.stack import Stack, gateway_argv, http_ok, rasa_has_model

ROOT = Path(__file__).resolve().parents[2]


class _Proc:
    """Stands in for a started process (nothing is started)."""

    pid = 0

    def stop(self) -> None:
        pass


def test_the_gateway_command_line_runs_the_gateway_app_on_the_port() -> None:
    argv = gateway_argv(8123)
    assert argv[1:4] == ["-m", "uvicorn", "channels.gateway:app"]
    assert argv[argv.index("--port") + 1] == "8123"
    assert argv[argv.index("--host") + 1] == "127.0.0.1"
    assert Path(argv[argv.index("--log-config") + 1]).is_file()
    assert gateway_argv("8123") == argv


def test_the_stack_starts_its_gateway_with_that_command_line(monkeypatch, tmp_path) -> None:
    started: dict[str, list[str]] = {}

    def start(self: Stack, name: str, argv: list[str], env: Any = None) -> Any:
        started[name] = argv
        return _Proc()

    monkeypatch.setattr(Stack, "_start", start)
    monkeypatch.setattr(Stack, "_check_port_free", lambda self, port, what: None)
    monkeypatch.setattr(Stack, "rasa_endpoints", lambda self, n: tmp_path / "endpoints.yml")
    monkeypatch.setattr(procs, "wait_until", lambda *args, **kwargs: None)
    env = {"GATEWAY_PORT": "8765", "ACTION_PORT": "5055", "ACTION_PROCESSES": "1",
           "RASA_URLS": "http://127.0.0.1:5005", "ACTION_SERVER_TOKEN": "t" * 32,
           "RASA_AUTH_TOKEN": "r" * 32}
    Stack(env=env, run_dir=tmp_path).start_servers()
    assert started["gateway"] == gateway_argv("8765")


def test_the_load_bench_starts_the_stock_gateway_with_that_command_line(monkeypatch) -> None:
    from bench import load, load_stock

    started: dict[str, list[str]] = {}

    def start(name: str, argv: list[str], **kwargs: Any) -> Any:
        started[name] = list(argv)
        return _Proc()

    monkeypatch.setattr(load_stock, "start_stock_rasa",
                        lambda env, model, run_dir: (_Proc(), "http://127.0.0.1:5999"))
    monkeypatch.setattr(procs, "start", start)
    monkeypatch.setattr(procs, "wait_until", lambda *args, **kwargs: None)
    env = {"RASA_AUTH_TOKEN": "r" * 32, "VOICE_WEBHOOK_TOKEN": "v" * 32,
           "TWILIO_AUTH_TOKEN": "w" * 32}
    _, target = load.start_stock(env, Path("model.tar.gz"))
    port = target.url.rsplit(":", 1)[1]
    assert started["gateway-stock"] == gateway_argv(port)


def test_the_benches_use_only_the_stacks_public_names() -> None:
    private = []
    for path in sorted((ROOT / "bench").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "bot.runtime.stack":
                private += [f"{path.name}: {a.name}" for a in node.names
                            if a.name.startswith("_")]
    assert private == []
    assert "_http_ok" not in vars(stack) and "_rasa_has_model" not in vars(stack)


def test_readiness_checks_say_no_when_nothing_answers() -> None:
    port = procs.free_port()
    assert not http_ok(f"http://127.0.0.1:{port}/healthz")
    assert not rasa_has_model(f"http://127.0.0.1:{port}", "token")


def test_the_load_bench_help_still_works() -> None:
    result = subprocess.run([sys.executable, "bench/load.py", "--help"],
                            cwd=ROOT, env={"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "usage" in result.stdout.lower()


def test_rasa_and_action_servers_run_one_blas_and_tensorflow_thread(monkeypatch, tmp_path):
    envs: dict[str, dict[str, str]] = {}

    def start(self: Stack, name: str, argv: list[str], env: Any = None) -> Any:
        envs[name] = dict(env or {})
        return _Proc()

    monkeypatch.setattr(Stack, "_start", start)
    monkeypatch.setattr(Stack, "_check_port_free", lambda self, port, what: None)
    monkeypatch.setattr(Stack, "rasa_endpoints", lambda self, n: tmp_path / "endpoints.yml")
    monkeypatch.setattr(procs, "wait_until", lambda *args, **kwargs: None)
    for name in stack.SERVING_THREADS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # an operator's own setting wins
    env = {"GATEWAY_PORT": "8765", "ACTION_PORT": "5055", "ACTION_PROCESSES": "2",
           "RASA_URLS": "http://127.0.0.1:5005,http://127.0.0.1:5006",
           "ACTION_SERVER_TOKEN": "t" * 32, "RASA_AUTH_TOKEN": "r" * 32}
    Stack(env=env, run_dir=tmp_path).start_servers()
    expected = {**stack.SERVING_THREADS, "OMP_NUM_THREADS": "3"}
    for name in ("rasa", "rasa-2", "actions", "actions-2"):
        assert {k: envs[name].get(k) for k in expected} == expected, name
    assert "OPENBLAS_NUM_THREADS" not in envs["gateway"]
    assert envs["actions-2"]["ACTION_PORT"] == "5056"
