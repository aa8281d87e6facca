"""MiniLM sentence embedding speed: numpy (``components.minilm``) vs sentence-transformers/torch.

    PYTHONPATH=. HF_HUB_OFFLINE=1 .venv/bin/python -m bench.minilm_numpy [--rounds 40]

Both encoders run in this process, one BLAS/torch thread each, alternating round by round on
the same texts (customer-style messages and catalogue strings), so machine load hits both alike.
Prints median and p95 per ``encode`` call for a batch of 1 and a batch of 32, the ratio
torch/numpy, the load time of each, and the largest cosine gap between them on these texts.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable

import numpy as np

from bench.stats import percentile

TEXTS = [
    "where is my order", "mera order kab aayega", "dolo 650 chahiye", "thyronorm 50 mcg refill",
    "I want to talk to a pharmacist", "cancel order 4821 please", "book a blood test tomorrow 9am",
    "paracetamol 650 tablet strip of 15", "doctor se baat karni hai", "meri dawai khatam ho gayi",
    "is azithromycin available without prescription", "payment failed but money deducted",
    "Telma 40 (telmisartan 40 mg tablet)", "Crocin Advance (paracetamol 500 mg tablet)",
    "change delivery address to 14 MG Road Bengaluru", "kya aap COD lete ho",
    "my mother is having chest pain what do i do", "hi", "ok thanks", "reorder my last medicines",
    "Pan 40 (pantoprazole 40 mg tablet)", "Shelcal 500 (calcium carbonate + vitamin d3 tablet)",
    "the app shows delivered but I did not get the parcel, this is the second time this month",
    "kal subah 8 baje sugar test book karo", "refund kab milega", "Glycomet GP 1 (glimepiride)",
    "what are your store timings on sunday", "I need an invoice for insurance claim",
    "order status batao", "Azee 500 (azithromycin 500 mg tablet)", "bye", "need help",
]


def _timed(fn: Callable[[], object], rounds: int) -> list[float]:
    return [_once(fn) for _ in range(rounds)]


def _once(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _line(name: str, ms: list[float]) -> str:
    return (f"  {name:<6} median {percentile(ms, 50):7.2f} ms   p95 {percentile(ms, 95):7.2f} ms"
            f"   (n={len(ms)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from components.minilm import DEFAULT_MODEL, MiniLM, model_path

    folder = model_path(DEFAULT_MODEL)
    start = time.perf_counter()
    numpy_model = MiniLM(folder, threads=1)
    load_numpy = time.perf_counter() - start

    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    start = time.perf_counter()
    torch_model = SentenceTransformer(folder, device="cpu")
    load_torch = time.perf_counter() - start

    encoders = {
        "numpy": lambda texts: numpy_model.encode(texts, batch_size=32,
                                                  normalize_embeddings=True),
        "torch": lambda texts: torch_model.encode(texts, batch_size=32, convert_to_numpy=True,
                                                  normalize_embeddings=True,
                                                  show_progress_bar=False),
    }
    a, b = encoders["numpy"](TEXTS), encoders["torch"](TEXTS)
    worst = float(np.min(np.sum(a * b, axis=1)))

    rng = random.Random(7)
    times: dict[tuple[str, int], list[float]] = {(n, s): [] for n in encoders for s in (1, 32)}
    for _ in range(args.rounds):
        single = [rng.choice(TEXTS)]
        batch = rng.sample(TEXTS, 32)
        names = list(encoders)
        rng.shuffle(names)  # neither encoder always runs first
        for name in names:
            times[(name, 1)].append(_once(lambda n=name, s=single: encoders[n](s)))
            times[(name, 32)].append(_once(lambda n=name, b=batch: encoders[n](b)))

    print(f"load: numpy {load_numpy:.2f} s, torch {load_torch:.2f} s;"
          f" lowest cosine numpy vs torch on {len(TEXTS)} texts: {worst:.7f}")
    for size in (1, 32):
        print(f"encode, batch of {size} ({args.rounds} rounds, 1 thread each):")
        print(_line("torch", times[("torch", size)]))
        print(_line("numpy", times[("numpy", size)]))
        t, n = times[("torch", size)], times[("numpy", size)]
        print(f"  ratio torch/numpy: median {percentile(t, 50) / percentile(n, 50):.2f}x,"
              f" p95 {percentile(t, 95) / percentile(n, 95):.2f}x")


if __name__ == "__main__":
    main()
