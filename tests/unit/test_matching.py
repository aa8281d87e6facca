"""Medicine matching against the real catalogue in a real (seeded) MongoDB and Redis."""

from __future__ import annotations

import time
import uuid
from datetime import date, datetime, timezone

import pytest

from bot import db as db_module
from bot import matching
from bot.cache import Cache
from bot.catalogue import Catalogue
from bot.schema import ORDERS
from bot.seed import seed

# (what the customer typed, brand that must come first)
MISSPELLINGS = [
    ("dollo 650", "Dolo 650"),
    ("dolo650", "Dolo 650"),
    ("thyronorm50", "Thyronorm 50"),
    ("thyronorm 25mcg", "Thyronorm 25"),
    ("glycomet gp1", "Glycomet GP 1"),
    ("glycomet 500 sr", "Glycomet SR 500"),
    ("pantop 40", "Pantop 40"),
    ("pantocide 40", "Pantocid 40"),
    ("telma40", "Telma 40"),
    ("krosin 650", "Crocin 650"),
    ("crosin", "Crocin 650"),
    ("kalpol 650", "Calpol 650"),
    ("augmentn 625", "Augmentin 625 Duo"),
    ("azithrall 500", "Azithral 500"),
    ("montaire lc", "Montair LC"),
    ("montec lc", "Montek LC"),
    ("alegra 120", "Allegra 120"),
    ("shelkal 500", "Shelcal 500"),
    ("ecosprin75", "Ecosprin 75"),
    ("rablet-d", "Rablet D"),
    ("Pan-D", "Pan D"),
    ("amlog 5", "Amlong 5"),
    ("storwas 10", "Storvas 10"),
    ("rosuvas10", "Rosuvas 10"),
    ("januvea 100", "Januvia 100"),
    ("jalra m 50 500", "Jalra M 50/500"),
    ("combiflame", "Combiflam"),
    ("dijene", "Digene"),
    ("becosule", "Becosules"),
    ("liv52", "Liv 52"),
    ("zerodole sp", "Zerodol SP"),
    ("asthaline inhaler", "Asthalin Inhaler"),
    ("uprize d3 60k", "Uprise D3 60K"),
    ("neurobian forte", "Neurobion Forte"),
    ("metrogil 400", "Metrogyl 400"),
    ("thyrocks 50", "Thyrox 50"),
    ("voveron sr 100", "Voveran SR 100"),
    ("i pill", "i-pill"),
    ("otrivin", "Otrivin Adult Nasal Spray"),
    ("limcee 500mg", "Limcee"),
    ("electrol", "Electral"),
    ("ondem 4 mg", "Ondem 4"),
    ("metxl 25", "Met XL 25"),
    ("amarylm1", "Amaryl M 1"),
    ("TELMA H", "Telma H"),
]

# (generic and strength typed, generic|strength every result must have)
GENERICS = [
    ("paracetamol 650", "Paracetamol|650 mg"),
    ("paracetmol 650", "Paracetamol|650 mg"),
    ("metformin 500", "Metformin|500 mg"),
    ("pantoprazole 40", "Pantoprazole|40 mg"),
    ("azithromycin 500", "Azithromycin|500 mg"),
    ("cetrizine", "Cetirizine|10 mg"),
    ("vitamin d3 60k", "Cholecalciferol|60000 IU"),
    ("montelukast levocetirizine", "Montelukast + Levocetirizine|10 mg + 5 mg"),
]

NONSENSE = [
    "asdfgh", "hello", "where is my order", "qwerty123", "book a doctor", "xyz", "blood test",
    "my order ML24081234", "aaaaaaa", "thank you", "cancel my order", "talk to agent",
    "sugar ki dawai", "acidity", "pincode 400076", "kal subah", "ok", "yes please", "refund",
    "skin doctor", "thyroid test", "cbc", "full body checkup", "bye", "650", "12.5 mg",
]


@pytest.fixture(scope="module")
def world(settings):
    """A database of its own, seeded by bot.seed with the real catalogue, plus its cache."""
    name = f"matching_{uuid.uuid4().hex[:8]}"
    database = db_module.get_client(settings)[name]
    cache = Cache(settings.redis_url, f"{settings.redis_prefix}{name}:", 60)
    seed(database, cache, anchor_day=date(2026, 11, 26))
    catalogue = Catalogue(database, cache)
    matching.warm_up(catalogue)
    yield database, catalogue
    database.client.drop_database(name)


@pytest.fixture(scope="module")
def meds(world):
    _, catalogue = world
    return {m["brand"]: m for m in catalogue.all_medicines()}


def _brands(results):
    return [r["brand"] for r in results]


@pytest.mark.parametrize(("text", "brand"), MISSPELLINGS)
def test_misspellings(world, text, brand):
    _, catalogue = world
    results = matching.match_medicines(catalogue, text)
    assert results, text
    assert results[0]["brand"] == brand, (text, results)


def test_table_is_big_enough():
    assert len(MISSPELLINGS) >= 25


@pytest.mark.parametrize(("text", "salt"), GENERICS)
def test_generic_and_strength(world, meds, text, salt):
    _, catalogue = world
    results = matching.match_medicines(catalogue, text)
    assert results, text
    for result in results:
        med = meds[result["brand"]]
        assert f"{med['generic']}|{med['strength']}" == salt, (text, results)


def test_paracetamol_650_gives_dolo_calpol_crocin(world):
    _, catalogue = world
    results = matching.match_medicines(catalogue, "paracetamol 650")
    assert set(_brands(results)) == {"Dolo 650", "Calpol 650", "Crocin 650"}


def test_exact_brand_scores_one_and_comes_first(world):
    _, catalogue = world
    for text in ("Telma 40", "  telma   40 ", "TELMA40", "glycomet gp 1"):
        results = matching.match_medicines(catalogue, text)
        assert results[0]["score"] == 1.0, text


@pytest.mark.parametrize("text", NONSENSE)
def test_nonsense_is_rejected(world, text):
    _, catalogue = world
    assert matching.match_medicines(catalogue, text) == []


@pytest.mark.parametrize("text", [
    None, 42, 6.5, b"dolo 650", ["dolo 650"], {"$ne": None}, "", "   ", "\x00", "$where",
    "x" * 10_000, "🙂🙂", "dolo\x00650" * 500,
])
def test_odd_text_never_raises(world, text):
    _, catalogue = world
    result = matching.match_medicines(catalogue, text)
    assert isinstance(result, list)
    assert all(set(r) == {"sku", "brand", "score"} for r in result)


@pytest.mark.parametrize("limit", [0, -1, "3", None, True, 2.5])
def test_odd_limit_gives_empty(world, limit):
    _, catalogue = world
    assert matching.match_medicines(catalogue, "dolo 650", limit=limit) == []


@pytest.mark.parametrize("catalogue", [None, "catalogue", 42, [None, 1, "x"], [], {}])
def test_odd_catalogue_gives_empty(catalogue):
    assert matching.match_medicines(catalogue, "dolo 650") == []


def test_result_shape_and_order(world):
    _, catalogue = world
    results = matching.match_medicines(catalogue, "telma", limit=5)
    assert 1 <= len(results) <= 5
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)
    assert all(r["sku"].startswith("MED") for r in results)
    assert len(matching.match_medicines(catalogue, "telma", limit=1)) == 1


def test_list_of_medicines_works_like_a_catalogue(world):
    _, catalogue = world
    as_list = catalogue.all_medicines()
    assert matching.match_medicines(as_list, "dollo 650") == matching.match_medicines(
        catalogue, "dollo 650"
    )


def test_catalogue_embeddings_are_computed_once(world):
    _, catalogue = world
    index = matching._index_for(catalogue.all_medicines())
    vectors = index.vectors
    assert vectors is not None and vectors.shape[0] == len(index.entries)
    matching.match_medicines(catalogue, "dolo")
    assert matching._index_for(catalogue.all_medicines()).vectors is vectors


def test_warm_match_is_fast(world):
    _, catalogue = world
    start = time.perf_counter()
    for text in ("dollo 650", "paracetamol 650", "glycomet gp1", "where is my order"):
        matching.match_medicines(catalogue, text)
    assert (time.perf_counter() - start) / 4 < 1.0  # generous: two shared cores


# -- past orders -------------------------------------------------------------------------
def _order(database, customer_id: str, brand: str, meds: dict) -> None:
    med = meds[brand]
    database[ORDERS].insert_one({
        "_id": f"ML{uuid.uuid4().int % 10**8:08d}", "customer_id": customer_id,
        "centre_id": "FC01", "status": "delivered", "total_inr": med["mrp_inr"],
        "items": [{"sku": med["_id"], "brand": med["brand"], "generic": med["generic"],
                   "strength": med["strength"], "quantity": 1,
                   "unit_price_inr": med["mrp_inr"]}],
        "created_at": datetime.now(timezone.utc),
    })


def test_past_order_wins_a_tie(world, meds):
    database, catalogue = world
    plain = matching.match_medicines(catalogue, "paracetamol 650", limit=4)
    assert _brands(plain)[0] != "Pacimol 650"
    _order(database, "CUSTMATCH01", "Pacimol 650", meds)
    boosted = matching.match_medicines(catalogue, "paracetamol 650", "CUSTMATCH01", database)
    assert _brands(boosted)[0] == "Pacimol 650"
    # another customer's orders are never used
    other = matching.match_medicines(catalogue, "paracetamol 650", "CUSTMATCH02", database)
    assert _brands(other) == _brands(plain)[:3]


def test_past_order_picks_the_strength(world, meds):
    database, catalogue = world
    assert _brands(matching.match_medicines(catalogue, "thyronorm"))[0] != "Thyronorm 75"
    _order(database, "CUSTMATCH03", "Thyronorm 75", meds)
    results = matching.match_medicines(catalogue, "thyronorm", "CUSTMATCH03", database)
    assert results[0]["brand"] == "Thyronorm 75"


def test_past_order_does_not_beat_an_exact_brand_or_lift_nonsense(world, meds):
    database, catalogue = world
    _order(database, "CUSTMATCH04", "Telma 20", meds)
    assert _brands(matching.match_medicines(catalogue, "telma 40", "CUSTMATCH04", database))[0] \
        == "Telma 40"
    assert matching.match_medicines(catalogue, "asdfgh", "CUSTMATCH04", database) == []


def test_seeded_customer_history_is_used(world):
    database, catalogue = world
    past = {item["sku"] for order in database[ORDERS].find({"customer_id": "CUST00001"})
            for item in order["items"]}
    med = catalogue.medicine(sorted(past)[0])
    text = f"{med['generic']} {med['strength']}"  # ties every substitute of that salt
    results = matching.match_medicines(catalogue, text, "CUST00001", database)
    assert results and results[0]["sku"] in past, (text, results)


@pytest.mark.parametrize("customer_id", [{"$ne": None}, "a b", "x" * 100, 42, ""])
def test_invalid_customer_id_is_ignored(world, customer_id):
    database, catalogue = world
    results = matching.match_medicines(catalogue, "dollo 650", customer_id, database)
    assert _brands(results)[:1] == ["Dolo 650"]


def test_dead_store_still_matches(world, dead_db):
    _, catalogue = world
    results = matching.match_medicines(catalogue, "dollo 650", "CUST00001", dead_db)
    assert _brands(results)[:1] == ["Dolo 650"]
