"""The int8 model: per-channel int8 weights and fixed, calibrated activation scales.

onnxruntime's dynamic quantisation picks each activation's int8 scale from the tensor it
is running, that is the whole batch with its padding, so a text's vector moved slightly
with the texts batched beside it (and a near-tie in a search could flip when batches were
regrouped). Here the weights are quantised as before, but each activation's scale and
zero point are measured once, at export, by running :func:`calibration_texts` one at a
time, and written into the model as constants. A text then gets the same vector alone or
in any batch, and the int8 kernels no longer scan every activation to find its range.

The integer matrix products are also fused into ``MatMulIntegerToFloat`` (onnxruntime
fuses them itself only behind a dynamic quantiser), which saves a cast and two
multiplications per product.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from radar.embed.calibration import calibration_texts

if TYPE_CHECKING:
    import onnx

log = logging.getLogger(__name__)

ACTIVATION_SCALES = "static"
"""Recorded in the export's metadata: how the int8 model scales its activations."""


def quantise_int8(plain: Path, target: Path, tokenizer: Path, max_length: int) -> None:
    """Write ``plain`` (a fused fp32 ONNX model) to ``target`` as int8 with fixed scales.

    ``target`` is written with its weights inline; ``tokenizer`` and ``max_length`` say
    how the calibration texts become model inputs. Raises whatever the quantiser raises.
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    dynamic = target.with_name(target.name + ".dynamic")
    try:
        # Per-channel weights: per-tensor int8 drifts to cos ~0.93 from fp32 on MiniLM.
        quantize_dynamic(
            str(plain),
            str(dynamic),
            weight_type=QuantType.QInt8,
            per_channel=True,
            # Fused ops (com.microsoft domain) have no inferred types: they are float.
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
        model = onnx.load(str(dynamic))
    finally:
        dynamic.unlink(missing_ok=True)
    ranges = activation_ranges(model, _calibration_inputs(tokenizer, max_length))
    fix_activation_scales(model, ranges)
    fuse_integer_matmuls(model)
    onnx.save(model, str(target))


def _calibration_inputs(tokenizer_path: Path, max_length: int) -> list[dict[str, np.ndarray]]:
    """One model input per calibration text, unpadded (a batch of one)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_length)
    inputs = []
    for encoding in tokenizer.encode_batch(calibration_texts()):
        inputs.append(
            {
                "input_ids": np.array([encoding.ids], dtype=np.int64),
                "attention_mask": np.array([encoding.attention_mask], dtype=np.int64),
                "token_type_ids": np.array([encoding.type_ids], dtype=np.int64),
            }
        )
    return inputs


def _dynamic_quantisers(model: onnx.ModelProto) -> list[onnx.NodeProto]:
    return [node for node in model.graph.node if node.op_type == "DynamicQuantizeLinear"]


def activation_ranges(
    model: onnx.ModelProto, inputs: Sequence[dict[str, np.ndarray]]
) -> dict[str, tuple[float, float]]:
    """For each activation the dynamic model quantises, its (min, max) over ``inputs``,
    widened to include 0 as onnxruntime's dynamic quantiser does."""
    import onnx
    import onnxruntime as ort

    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    names = [node.input[0] for node in _dynamic_quantisers(probe)]
    for name in names:
        probe.graph.output.append(
            onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None)
        )
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(
        probe.SerializeToString(), sess_options=options, providers=["CPUExecutionProvider"]
    )
    wanted = {node.name for node in session.get_inputs()}
    low = dict.fromkeys(names, 0.0)
    high = dict.fromkeys(names, 0.0)
    for feeds in inputs:
        for name, value in zip(
            names, session.run(names, {k: v for k, v in feeds.items() if k in wanted}), strict=True
        ):
            low[name] = min(low[name], float(np.min(value)))
            high[name] = max(high[name], float(np.max(value)))
    return {name: (low[name], high[name]) for name in names}


def fix_activation_scales(model: onnx.ModelProto, ranges: dict[str, tuple[float, float]]) -> None:
    """Replace every ``DynamicQuantizeLinear`` with a ``QuantizeLinear`` whose uint8 scale
    and zero point are constants derived from ``ranges`` (the same arithmetic the dynamic
    op applies to one tensor, applied to the calibrated range)."""
    import onnx
    from onnx import numpy_helper

    nodes = []
    for node in model.graph.node:
        if node.op_type != "DynamicQuantizeLinear":
            nodes.append(node)
            continue
        low, high = ranges[node.input[0]]
        scale = (high - low) / 255.0 if high > low else 1.0
        zero_point = int(np.clip(np.rint(-low / scale), 0, 255))
        quantised, scale_name, zero_point_name = node.output
        model.graph.initializer.extend(
            [
                numpy_helper.from_array(np.array(scale, dtype=np.float32), scale_name),
                numpy_helper.from_array(np.array(zero_point, dtype=np.uint8), zero_point_name),
            ]
        )
        nodes.append(
            onnx.helper.make_node(
                "QuantizeLinear",
                [node.input[0], scale_name, zero_point_name],
                [quantised],
                name=f"{node.name}_static",
            )
        )
    del model.graph.node[:]
    model.graph.node.extend(nodes)


def fuse_integer_matmuls(model: onnx.ModelProto) -> int:
    """Rewrite ``MatMulInteger → Cast → Mul(·, Mul(a_scale, b_scale))`` chains as one
    ``MatMulIntegerToFloat``; returns how many were fused. Chains of any other shape are
    left as they are (correct, only slower)."""
    import onnx

    producer = {output: node for node in model.graph.node for output in node.output}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in model.graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    replaced: dict[int, onnx.NodeProto] = {}
    dropped: set[int] = set()
    for node in model.graph.node:
        if node.op_type != "MatMulInteger" or len(node.input) != 4:
            continue
        chain = _scale_chain(node, producer, consumers)
        if chain is None:
            continue
        cast, multiply, scales = chain
        quantiser = producer.get(node.input[0])
        if quantiser is None or quantiser.op_type != "QuantizeLinear":
            continue
        a_scale = quantiser.input[1]
        others = [name for name in scales.input if name != a_scale]
        if len(others) != 1:
            continue
        b_scale = others[0]
        replaced[id(node)] = onnx.helper.make_node(
            "MatMulIntegerToFloat",
            [node.input[0], node.input[1], a_scale, b_scale, node.input[2], node.input[3]],
            [multiply.output[0]],
            name=f"{node.name}_to_float",
            domain="com.microsoft",
        )
        dropped |= {id(cast), id(multiply)}
        if len(consumers[scales.output[0]]) == 1:
            dropped.add(id(scales))
    nodes = [replaced.get(id(node), node) for node in model.graph.node if id(node) not in dropped]
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    return len(replaced)


def _scale_chain(
    node: onnx.NodeProto,
    producer: dict[str, onnx.NodeProto],
    consumers: dict[str, list[onnx.NodeProto]],
) -> tuple[onnx.NodeProto, onnx.NodeProto, onnx.NodeProto] | None:
    """The (Cast, Mul, scales Mul) after ``node`` if they have the expected shape."""
    after = consumers.get(node.output[0], [])
    if len(after) != 1 or after[0].op_type != "Cast":
        return None
    cast = after[0]
    after = consumers.get(cast.output[0], [])
    if len(after) != 1 or after[0].op_type != "Mul":
        return None
    multiply = after[0]
    other = [name for name in multiply.input if name != cast.output[0]]
    scales = producer.get(other[0]) if len(other) == 1 else None
    if scales is None or scales.op_type != "Mul" or len(scales.input) != 2:
        return None
    return cast, multiply, scales
