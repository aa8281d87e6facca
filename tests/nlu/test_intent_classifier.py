"""components.intent_classifier.LinearIntentClassifier as a Rasa graph component."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
import scipy.sparse as sp

pytest.importorskip("rasa")

from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.features import Features  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from components.intent_classifier import LinearIntentClassifier  # noqa: E402

VOCAB = ["order", "status", "where", "cancel", "stop", "doctor", "book", "call", "hi", "hello"]
INTENTS = {
    "check_order_status": ["where order", "order status", "status where order"],
    "cancel_order": ["cancel order", "cancel", "stop order cancel"],
    "book_doctor_call": ["book doctor", "doctor call", "book call doctor"],
    "greet": ["hi", "hello", "hi hello"],
}


def _message(text: str, intent: str | None = None, dense: bool = True) -> Message:
    message = Message.build(text=text, intent=intent) if intent else Message(data={TEXT: text})
    counts = np.zeros((1, len(VOCAB)), dtype=np.float32)
    for word in text.split():
        if word in VOCAB:
            counts[0, VOCAB.index(word)] += 1
    message.add_features(Features(sp.coo_matrix(counts), FEATURE_TYPE_SENTENCE, TEXT, "cv"))
    if dense:
        rng = np.random.default_rng(zlib.crc32((intent or text).encode()))
        message.add_features(
            Features(rng.normal(size=(1, 8)).astype(np.float32), FEATURE_TYPE_SENTENCE, TEXT,
                     "minilm")
        )
    return message


@pytest.fixture()
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def _component(storage, **config):
    context = ExecutionContext(GraphSchema({}), "test")
    return LinearIntentClassifier.create(
        {**LinearIntentClassifier.get_default_config(), **config}, storage,
        Resource("linear_intent"), context,
    )


def _training_data() -> TrainingData:
    return TrainingData([_message(t, i) for i, texts in INTENTS.items() for t in texts])


def test_trains_predicts_and_ranks(storage):
    component = _component(storage)
    component.train(_training_data())
    messages = [_message("where is my order status"), _message("please cancel"),
                _message("hello")]
    component.process(messages)
    predicted = [m.get("intent")["name"] for m in messages]
    assert predicted == ["check_order_status", "cancel_order", "greet"]
    for message in messages:
        ranking = message.get("intent_ranking")
        assert ranking[0] == message.get("intent")
        assert len(ranking) == len(INTENTS)
        total = sum(r["confidence"] for r in ranking)
        assert total == pytest.approx(1.0, abs=1e-5)
        assert [r["confidence"] for r in ranking] == sorted(
            (r["confidence"] for r in ranking), reverse=True)


def test_persists_as_arrays_and_loads(storage):
    component = _component(storage)
    component.train(_training_data())
    before = _message("book doctor call")
    component.process([before])
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = LinearIntentClassifier.load(
        LinearIntentClassifier.get_default_config(), storage, Resource("linear_intent"), context
    )
    after = _message("book doctor call")
    loaded.process([after])
    assert after.get("intent")["name"] == before.get("intent")["name"] == "book_doctor_call"
    assert after.get("intent")["confidence"] == pytest.approx(before.get("intent")["confidence"])


def test_unknown_words_give_low_confidence(storage):
    component = _component(storage, C=1.0)
    component.train(_training_data())
    known, unknown = _message("cancel order"), _message("zzz qqq", dense=False)
    component.process([known, unknown])
    assert unknown.get("intent")["confidence"] < known.get("intent")["confidence"]
    assert unknown.get("intent")["confidence"] < 0.6


def test_two_intents_and_ranking_length(storage):
    component = _component(storage, ranking_length=1)
    data = TrainingData([_message(t, i) for i in ("greet", "cancel_order") for t in INTENTS[i]])
    component.train(data)
    message = _message("cancel")
    component.process([message])
    assert message.get("intent")["name"] == "cancel_order"
    assert len(message.get("intent_ranking")) == 1


def test_untrained_component_leaves_messages_alone(storage):
    component = _component(storage)
    component.train(TrainingData([_message("hi", "greet")]))  # one intent: nothing to learn
    message = _message("hi")
    component.process([message])
    assert message.get("intent") is None


@pytest.mark.parametrize("config", [{"C": 0}, {"dense_weight": -1}])
def test_rejects_bad_config(config):
    with pytest.raises(ValueError):
        LinearIntentClassifier.validate_config(config)


@pytest.mark.parametrize("config", [{}, {"use_idf": False}, {"sublinear_tf": False},
                                    {"dense_weight": 0.0}, {"class_weight": "balanced"}])
def test_one_message_logits_equal_the_matrix_path(storage, config):
    component = _component(storage, **config)
    component.train(_training_data())
    texts = ["where order", "order order status", "book doctor call", "hi", "nothing known",
             "cancel cancel order stop", ""]
    messages = [_message(t) for t in texts] + [_message("where order", dense=False)]
    expected = np.asarray(component._matrix(messages) @ component.coef.T + component.intercept)
    fast = np.vstack([component._logits(*component._raw(m)) for m in messages])
    np.testing.assert_allclose(fast, expected, rtol=1e-5, atol=1e-5)


def test_sentence_features_are_combined_as_rasa_combines_them():
    message = _message("where order status")
    message.add_features(Features(sp.coo_matrix(np.array([[0, 2, 0]], dtype=np.float32)),
                                  FEATURE_TYPE_SENTENCE, TEXT, "regex"))
    message.add_features(Features(sp.coo_matrix(np.ones((3, 4), dtype=np.float32)),
                                  "sequence", TEXT, "cv"))
    s, d = LinearIntentClassifier._raw(message)
    _, rasa_sparse = message.get_sparse_features(TEXT)
    _, rasa_dense = message.get_dense_features(TEXT)
    np.testing.assert_array_equal(s.toarray(), rasa_sparse.features.toarray())
    np.testing.assert_array_equal(d, np.asarray(rasa_dense.features).reshape(-1))
