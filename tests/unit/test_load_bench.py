"""The pure parts of ``bench/load.py``: Twilio signing, the conversation mix, ``/proc`` parsing,
the history plan and the stock model's inputs, so the bench keeps working as the code moves."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from bench import load_procs, load_stock
from bench.load_clients import is_fallback, twilio_params, twilio_signature, twiml_text
from bench.load_history import plan
from bench.load_mix import CHANNELS, SCENARIOS, Mix, parse_weights
from bench.load_runner import Budget, Identities
from bench.stats import summarise
from channels.security.twilio import is_valid

URL = "https://bench-load.pharmacy.invalid/webhooks/sms/twilio"


def test_twilio_signature_is_accepted_by_the_gateways_check_and_bound_to_token_and_body():
    params = twilio_params("where is my order", "+919876543210")
    signature = twilio_signature(URL, params, "secret-token")
    assert is_valid(URL, params, signature, "secret-token")
    assert not is_valid(URL, params, signature, "another-token")
    assert not is_valid(URL, {**params, "Body": "cancel my order"}, signature, "secret-token")
    assert not is_valid(URL.replace("https", "http"), params, signature, "secret-token")


def test_every_sms_has_a_fresh_message_sid():
    first, second = twilio_params("hi", "+919876543210"), twilio_params("hi", "+919876543210")
    assert first["MessageSid"] != second["MessageSid"]
    assert first["From"] == "+919876543210" and first["Body"] == "hi"


def test_twiml_text_and_the_outage_reply():
    xml = ("<?xml version='1.0'?><Response><Message>Your order ML1 is shipped.</Message>"
           "<Message>Anything else?</Message></Response>")
    assert twiml_text(xml) == "Your order ML1 is shipped.\nAnything else?"
    assert twiml_text("<Response/>") == ""
    assert is_fallback("Sorry, I&apos;m having trouble right now. Please try again")
    assert not is_fallback("Your order ML1 is shipped.")


def test_the_mix_is_reproducible_and_follows_its_weights():
    assert [Mix(seed=3).next() for _ in range(2)] == [Mix(seed=3).next() for _ in range(2)]
    mix = Mix(seed=1, channels={"web": 3, "sms": 1}, verified_share=0.5)
    convs = [mix.next() for _ in range(4000)]
    channels = collections.Counter(c.channel for c in convs)
    assert set(channels) == {"web", "sms"}
    assert 2.5 < channels["web"] / channels["sms"] < 3.5
    assert 0.45 < sum(c.verified for c in convs) / len(convs) < 0.55
    names = collections.Counter(c.scenario.name for c in convs)
    assert names["order_status"] > names["doctor_booking"]
    assert {s.name for s in SCENARIOS} == set(names)


def test_form_starting_scenarios_end_the_form():
    for scenario in SCENARIOS:
        if scenario.name in ("reorder", "doctor_booking", "lab_booking"):
            assert scenario.turns[-1] == "stop"


def test_think_time_is_zero_unless_asked():
    mix = Mix(seed=2)
    assert mix.think_seconds(0) == 0.0
    waits = [mix.think_seconds(500) for _ in range(2000)]
    assert 0.4 < sum(waits) / len(waits) < 0.6


def test_channel_weights_parse_and_reject_nonsense():
    assert parse_weights("web=0.5,sms=0.3,voice=0.2") == {"web": 0.5, "sms": 0.3, "voice": 0.2}
    assert parse_weights("web,voice") == {"web": 1.0, "voice": 1.0}
    assert set(parse_weights(",".join(CHANNELS))) == set(CHANNELS)
    for bad in ("fax=1", "web=0", "", "web=-1"):
        with pytest.raises(ValueError):
            parse_weights(bad)


def test_identities_never_hand_out_a_customers_number_as_anonymous():
    ids = Identities(["+917000100000", "+919876543210"], ["CUST00001"], seed=0)
    assert [ids.phone() for _ in range(3)] == ["+917000100000", "+919876543210",
                                               "+917000100000"]
    anonymous = {ids.anonymous_phone() for _ in range(500)}
    assert not anonymous & set(ids.phones)
    assert all(p.startswith("+917000") and len(p) == 13 for p in anonymous)
    addresses = [ids.client_ip() for _ in range(300)]
    assert len(set(addresses)) == 300 and addresses[0] == "10.0.0.1"


def test_budget_stops_at_zero():
    budget = Budget(2)
    assert [budget.take() for _ in range(4)] == [True, True, False, False]


STAT = ("4242 (python3 -m (rasa) x) S 4200 4242 4242 0 -1 4194560 93134 0 12 0 "
        "1520 307 0 0 20 0 9 0 1210 2458791936 281234 18446744073709551615 1 1 0 0 0 0 0 "
        "4096 17642 0 0 0 17 1 0 0 0 0 0")


def test_proc_stat_parsing_copes_with_parentheses_and_spaces_in_the_name():
    stat = load_procs.parse_stat(STAT)
    assert (stat.pid, stat.comm, stat.ppid, stat.pgrp) == (4242, "python3 -m (rasa) x", 4200,
                                                           4242)
    assert (stat.utime, stat.stime, stat.rss_pages) == (1520, 307, 281234)


def test_group_usage_sums_the_process_group_only():
    leader = load_procs.ProcStat(10, "rasa", 1, 10, 100, 50, 1000)
    child = load_procs.ProcStat(11, "worker", 10, 10, 30, 20, 500)
    other = load_procs.ProcStat(12, "other", 1, 12, 999, 999, 999)
    usage = load_procs.group_usage(10, [leader, child, other])
    assert usage.cpu_ticks == 200 and usage.processes == 2
    assert usage.rss_bytes == 1500 * load_procs.PAGE_BYTES
    assert usage.cpu_ms == pytest.approx(200 * 1000 / load_procs.CLOCK_TICKS)


def test_cpu_per_turn_is_the_delta_over_turns():
    before = {"rasa": load_procs.Usage(100, 0, 1), "gone": load_procs.Usage(5, 0, 1)}
    after = {"rasa": load_procs.Usage(100 + 4 * load_procs.CLOCK_TICKS, 0, 1)}
    assert load_procs.cpu_ms_per_turn(before, after, 8) == {"rasa": pytest.approx(500.0)}


def test_this_process_is_found_in_proc():
    import os

    usage = load_procs.sample({"me": os.getpid()})["me"]
    assert usage.processes >= 1 and usage.rss_bytes > 0


def test_pidfiles_are_read_and_garbage_skipped(tmp_path: Path):
    (tmp_path / "rasa.pid").write_text("123\n")
    (tmp_path / "gateway.pid").write_text("not a pid")
    assert load_procs.pids_from_run_dir(tmp_path) == {"rasa": 123}


def test_history_plan_interleaves_sizes_with_one_phone_per_conversation():
    phones = [f"+9190000000{i:02d}" for i in range(8)]
    schedule = plan((10, 100), 3, phones)
    assert [size for size, _ in schedule] == [10, 100, 10, 100, 10, 100]
    assert len({phone for _, phone in schedule}) == 6
    with pytest.raises(ValueError):
        plan((10, 100, 1000), 3, phones)


def test_summary_percentiles():
    values = [float(v) for v in range(1, 101)]
    summary = summarise(values)
    assert (summary["n"], summary["p50"], summary["p95"], summary["p99"]) == (100, 51.0, 95.0,
                                                                             99.0)
    assert summarise([])["n"] == 0


def test_stock_config_leaves_pipeline_and_policies_to_rasas_defaults(tmp_path: Path):
    import yaml

    config = yaml.safe_load(load_stock.STOCK_CONFIG)
    assert config["pipeline"] is None and config["policies"] is None
    assert config["recipe"] == "default.v1" and config["language"] == "en"
    (tmp_path / "domain").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "domain" / "base.yml").write_text("intents: [greet]\n")
    before = load_stock.stock_fingerprint(tmp_path)
    (tmp_path / "data" / "nlu.yml").write_text("nlu: []\n")
    assert load_stock.stock_fingerprint(tmp_path) != before
    assert load_stock.stock_model_path(tmp_path).name.startswith("stock-")
    assert load_stock.stock_fingerprint(tmp_path, epochs=10) != load_stock.stock_fingerprint(
        tmp_path)


def test_fewer_stock_epochs_change_nothing_but_epochs():
    import yaml

    default = yaml.safe_load(load_stock.stock_config(100))
    short = yaml.safe_load(load_stock.stock_config(7))
    trained = [c["name"] for c in short["pipeline"] + short["policies"] if "epochs" in c]
    assert {"DIETClassifier", "TEDPolicy", "UnexpecTEDIntentPolicy"} <= set(trained)
    assert all(c["epochs"] == 7 for c in short["pipeline"] + short["policies"] if "epochs" in c)
    for key in ("pipeline", "policies"):
        assert [{k: v for k, v in c.items() if k != "epochs"} for c in default[key]] == [
            {k: v for k, v in c.items() if k != "epochs"} for c in short[key]]


def test_stock_endpoints_use_rasas_mongo_store_and_the_stacks_action_server(tmp_path: Path):
    import yaml

    env = {"ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook", "ACTION_SERVER_TOKEN": "t" * 32,
           "MONGODB_URI": "mongodb://127.0.0.1:1", "MONGODB_DB": "db"}
    path = load_stock.render_stock_endpoints(env, tmp_path / "endpoints.yml")
    config = yaml.safe_load(path.read_text())
    assert config["tracker_store"]["type"] == "mongod"
    assert "lock_store" not in config
    assert config["action_endpoint"]["headers"]["Authorization"] == "Bearer " + "t" * 32
    assert path.stat().st_mode & 0o077 == 0


def test_the_stock_rasa_loads_no_project_speed_up_with_the_gateway_channel():
    assert load_stock.speedups_free()
