"""The project starts its own SecantusDB and Redis when nothing answers, and stops them by PID."""

from __future__ import annotations

import redis
from pymongo import MongoClient

from bot.runtime import procs, stores


def test_embedded_redis_starts_when_none_answers(tmp_path):
    port = procs.free_port()
    proc = stores.ensure_redis(f"redis://127.0.0.1:{port}/0", run_dir=tmp_path)
    assert proc is not None
    try:
        client = redis.Redis(port=port)
        assert client.ping()
        client.set("k", "v")
        assert client.get("k") == b"v"
    finally:
        proc.stop()
    assert not proc.alive()
    assert not procs.port_open("127.0.0.1", port)
    assert not (tmp_path / "redis.pid").exists()


def test_existing_redis_is_used_not_replaced(tmp_path):
    port = procs.free_port()
    first = stores.ensure_redis(f"redis://127.0.0.1:{port}/0", run_dir=tmp_path)
    try:
        assert stores.ensure_redis(f"redis://127.0.0.1:{port}/0", run_dir=tmp_path) is None
    finally:
        first.stop()


def test_secantusdb_starts_and_keeps_data_across_restarts(tmp_path):
    port = procs.free_port()
    uri = f"mongodb://127.0.0.1:{port}"
    proc = stores.ensure_mongo(uri, tmp_path / "data", run_dir=tmp_path)
    assert proc is not None
    try:
        MongoClient(uri).demo.things.insert_one({"_id": "kept"})
    finally:
        proc.stop()
    assert not procs.port_open("127.0.0.1", port)
    proc = stores.ensure_mongo(uri, tmp_path / "data", run_dir=tmp_path)
    try:
        assert MongoClient(uri).demo.things.find_one({"_id": "kept"}) is not None
    finally:
        proc.stop()


def test_stop_from_pidfiles_cleans_up_a_crashed_run(tmp_path):
    proc = procs.start("sleeper", ["sleep", "300"], run_dir=tmp_path)
    assert (tmp_path / "sleeper.pid").exists()
    assert procs.stop_from_pidfiles(tmp_path) == ["sleeper"]
    proc.popen.wait(timeout=5)
    assert not proc.alive()


def test_uri_without_retryable_writes_keeps_hosts_and_options():
    from pymongo.uri_parser import parse_uri

    for uri in ("mongodb://127.0.0.1:27017", "mongodb://127.0.0.1:27017/",
                "mongodb://u:p@127.0.0.1:27017/admin?appName=x&retryWrites=true"):
        parsed = parse_uri(stores.without_retryable_writes(uri))
        original = parse_uri(uri)
        assert parsed["nodelist"] == original["nodelist"]
        assert parsed["options"]["retryWrites"] is False
        assert parsed["username"] == original["username"]
        assert parsed["database"] == original["database"]
        assert {k: v for k, v in parsed["options"].items() if k.lower() != "retrywrites"} == {
            k: v for k, v in original["options"].items() if k.lower() != "retrywrites"}


def test_only_a_secantusdb_the_stack_started_gets_retryable_writes_off(tmp_path):
    from bot.runtime.stack import Stack

    port = procs.free_port()
    uri = f"mongodb://127.0.0.1:{port}"
    started = Stack(env={"MONGODB_URI": uri, "REDIS_URL": "redis://127.0.0.1:6379/0"},
                    run_dir=tmp_path)
    started.start_stores(tmp_path / "data")
    try:
        assert started.env["MONGODB_URI"] == f"{uri}/?retryWrites=false"
        MongoClient(started.env["MONGODB_URI"]).demo.things.insert_one({"_id": "written"})
        already = Stack(env={"MONGODB_URI": uri, "REDIS_URL": "redis://127.0.0.1:6379/0"},
                        run_dir=tmp_path / "second")
        already.start_stores(tmp_path / "data2")
        assert already.env["MONGODB_URI"] == uri and already.started == []
    finally:
        for proc in started.started:
            proc.stop()
