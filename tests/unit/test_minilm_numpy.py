"""The numpy MiniLM (components/minilm.py) computes what sentence-transformers/torch computes.

This test imports sentence-transformers and torch as the reference; the product code must not
(tests/unit/test_no_torch.py).
"""

from __future__ import annotations

import itertools
import os

import numpy as np
import pytest

from components.minilm import ATTENTION_BUDGET, DEFAULT_MODEL, load_model, model_path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ENGLISH = [
    "where is my order", "I want to cancel order 4821", "Can I talk to a pharmacist please?",
    "my payment failed but the money was deducted", "book a blood sugar test for tomorrow 9am",
    "what are your store timings on Sunday", "I need an invoice for my insurance claim",
    "the parcel shows delivered but I never got it", "change my delivery address",
    "do you deliver to Pune", "hi", "ok thanks", "bye", "help", "yes", "no, the other one",
    "My mother is having chest pain, what should I do?", "is this medicine safe in pregnancy",
    "repeat my last order", "how much is the delivery charge?",
]
HINGLISH = [
    "mera order kab aayega", "order status batao yaar", "dawai khatam ho gayi, reorder kar do",
    "doctor se baat karni hai", "kal subah 8 baje sugar test book karo", "refund kab milega",
    "payment fail ho gaya par paise kat gaye", "kya aap COD lete ho", "address badalna hai",
    "mujhe pharmacist se baat karni hai please", "bhai order cancel karo", "theek hai, shukriya",
    "sir meri medicine abhi tak nahi aayi", "kitne din mein delivery hogi",
    "lab test ka report kab aayega", "mummy ko bukhar hai kya du",
]
DEVANAGARI = [
    "मेरा ऑर्डर कहाँ है", "डॉक्टर से बात करनी है", "कल सुबह टेस्ट बुक करो", "डोलो 650 चाहिए",
    "धन्यवाद", "मेरी दवाई खत्म हो गई", "ऑर्डर कैंसल करो",
]
MEDICINES = [
    "Dolo 650", "dollo 650", "Thyronorm 50 mcg", "thyronorm50",
    "Telma 40 (telmisartan 40 mg tablet)",
    "Crocin Advance (paracetamol 500 mg tablet)", "Pan 40", "Shelcal 500", "Azee 500",
    "Glycomet GP 1 (glimepiride 1 mg + metformin 500 mg)", "Augmentin 625 Duo", "Ecosprin 75",
    "Montair LC", "Allegra 120", "Becosules Z", "Zincovit", "Liv 52 DS", "Calpol 650",
    "amoxicillin 500mg capsule", "insulin glargine 100 IU/ml",
]
ODD = [
    "", " ", "   ", "\t\n", "?", "...", "!!!", "😀", "🙏🙏", "12345", "4821-ABCD", "a",
    "ok 👍", "https://example.com/track?id=42", "+91 98765 43210", "Rs. 1,299.00",
    "ÀÉÎÕÜ café naïve", "tab.", "O.D. x 5d", "CAPITALS ONLY PLEASE",
]
LONG = [
    " ".join(itertools.islice(itertools.cycle(ENGLISH + HINGLISH), 80)),
    "paracetamol " * 300,
    " ".join(MEDICINES * 8),
    "मेरा ऑर्डर कहाँ है " * 60,
]


def _sentences() -> list[str]:
    base = ENGLISH + HINGLISH + DEVANAGARI + MEDICINES + ODD + LONG
    mixed = [f"{a} {b}" for a, b in zip(ENGLISH, reversed(MEDICINES), strict=False)]
    mixed += [f"{a}, {b.lower()}" for a, b in zip(HINGLISH, MEDICINES, strict=False)]
    mixed += [f"{m} chahiye {n} strip" for m, n in zip(MEDICINES, range(1, 21), strict=False)]
    mixed += [s.upper() for s in ENGLISH[:10]] + [s + "??" for s in HINGLISH[:10]]
    mixed += [f"{d} {e}" for d, e in zip(DEVANAGARI, ENGLISH, strict=False)]
    mixed += [f"{h} - {d}" for h, d in zip(HINGLISH, itertools.cycle(DEVANAGARI), strict=False)]
    mixed += [f"{o} {m}" for o, m in zip(ODD, MEDICINES, strict=False)]
    return base + mixed


SENTENCES = _sentences()


@pytest.fixture(scope="module")
def reference():
    torch = pytest.importorskip("torch")
    st = pytest.importorskip("sentence_transformers")
    torch.set_num_threads(1)
    return st.SentenceTransformer(model_path(DEFAULT_MODEL), device="cpu")


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.maximum(np.linalg.norm(a, axis=-1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=-1, keepdims=True), 1e-12)
    return np.sum(a * b, axis=-1)


def test_enough_varied_sentences_including_truncated_ones() -> None:
    assert len(SENTENCES) >= 200
    model = load_model()
    lengths = [len(model.tokenizer.encode(s).ids) for s in SENTENCES]
    assert max(lengths) == model.max_seq_length == 256
    assert sum(n == 256 for n in lengths) >= 3        # several long texts are cut
    assert min(lengths) == 2                          # [CLS] [SEP] only


def test_sentence_embeddings_match_sentence_transformers(reference) -> None:
    ours = load_model().encode(SENTENCES, batch_size=32, normalize_embeddings=True)
    theirs = reference.encode(SENTENCES, batch_size=32, convert_to_numpy=True,
                              normalize_embeddings=True, show_progress_bar=False)
    assert ours.shape == theirs.shape == (len(SENTENCES), 384)
    assert ours.dtype == np.float32
    cosines = _cosines(ours, theirs)
    worst = int(np.argmin(cosines))
    assert cosines.min() >= 0.9999, (SENTENCES[worst], cosines[worst])
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_batch_of_one_equals_batched(reference) -> None:
    model = load_model()
    batched = model.encode(SENTENCES[:40], batch_size=16, normalize_embeddings=True)
    single = np.stack([model.encode(s, normalize_embeddings=True) for s in SENTENCES[:40]])
    assert single.shape == batched.shape
    assert _cosines(single, batched).min() >= 0.99999


def test_default_encode_normalises_like_the_models_normalize_module(reference) -> None:
    ours = load_model().encode(SENTENCES[:50])
    theirs = reference.encode(SENTENCES[:50], convert_to_numpy=True, show_progress_bar=False)
    assert np.allclose(np.linalg.norm(ours, axis=1), np.linalg.norm(theirs, axis=1), rtol=1e-4)
    assert _cosines(ours, theirs).min() >= 0.9999


def test_token_embeddings_and_offsets_match(reference) -> None:
    texts = SENTENCES[::3]
    ours = load_model().encode_tokens(texts, batch_size=16)
    theirs = reference.encode(texts, output_value="token_embeddings", batch_size=16,
                              show_progress_bar=False)
    tokenizer = reference.tokenizer
    for text, (vectors, offsets), expected in zip(texts, ours, theirs, strict=True):
        expected = expected.detach().cpu().numpy()
        assert vectors.shape == expected.shape, text
        assert _cosines(vectors, expected).min() >= 0.9999, text
        hf = tokenizer(text, return_offsets_mapping=True, truncation=True,
                       max_length=reference.max_seq_length)
        assert [tuple(o) for o in hf["offset_mapping"]] == offsets, text


def test_single_string_and_empty_list() -> None:
    model = load_model()
    assert model.encode("dolo 650").shape == (384,)
    assert model.encode([]).shape == (0, 384)
    assert model.encode_tokens([]) == []


def test_mapped_weights_equal_safetensors_numpy() -> None:
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    from components.minilm import read_safetensors

    path = f"{model_path(DEFAULT_MODEL)}/model.safetensors"
    ours, theirs = read_safetensors(path), safetensors_numpy.load_file(path)
    assert ours.keys() == theirs.keys()
    for name, array in theirs.items():
        assert ours[name].dtype == array.dtype and np.array_equal(ours[name], array), name
    assert not ours["embeddings.word_embeddings.weight"].flags.writeable


def test_long_batches_are_split_to_bound_attention_memory() -> None:
    model = load_model()
    long_text = "paracetamol " * 300
    seen = [len(idx) for idx, _, _ in model._batches([long_text] * 12, batch_size=64)]
    assert sum(seen) == 12
    assert max(seen) * model.heads * 256 ** 2 <= ATTENTION_BUDGET
    assert max(seen) < 12
