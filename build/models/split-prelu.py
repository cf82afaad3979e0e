"""Rewrites every PReLU of an ONNX model into operations ONNX Runtime keeps in its blocked layout.

ORT's CPU provider runs convolutions in a blocked channel layout (NCHWc) but has no blocked PReLU,
so a network such as Real-ESRGAN general x4 v3 (34 convolutions, 33 PReLUs) converts every
activation out of that layout and back. The rewrite is exact:

    PReLU(z) = a*z + (1-a)*ReLU(z)

With s = sign(1-a) per channel, s*PReLU(z) = (s*a)*z + ReLU(|1-a|*z): two per-channel scalings
(BatchNormalization with zero mean, unit variance and no bias), a ReLU and an Add, all of which ORT
fuses into its blocked convolutions; the sign s is folded into the input channels of the
convolution that consumes the activation, so its output is unchanged.

Run once, offline (Python 3.10+, `pip install onnx==1.23.1`):

    python build/models/split-prelu.py ../shared/models/superres/realesr-general-x4v3.onnx \
        models/superres/realesr-general-x4v3-split-prelu.onnx

It prints the new file's sha256 and size for models/catalog.json. The parity test
(tests/integration/model-rewrite.test.ts) runs both files on real photos and holds them equal.
"""

import hashlib
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def per_channel_scale(name, data_input, output, scale):
    """A BatchNormalization that multiplies each channel by `scale` and adds nothing."""
    channels = scale.size
    params = {
        f"{name}.scale": scale,
        f"{name}.bias": np.zeros(channels),
        f"{name}.mean": np.zeros(channels),
        f"{name}.var": np.ones(channels),
    }
    tensors = [numpy_helper.from_array(v.astype(np.float32), k) for k, v in params.items()]
    node = helper.make_node("BatchNormalization", [data_input, *params], [output], name=name, epsilon=0.0)
    return node, tensors


def split_prelu(model):
    graph = model.graph
    initializers = {t.name: t for t in graph.initializer}
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)

    nodes, added, rewritten = [], [], 0
    for node in graph.node:
        if node.op_type != "PRelu" or node.input[1] not in initializers:
            nodes.append(node)
            continue
        z, slope_name = node.input
        y = node.output[0]
        a = numpy_helper.to_array(initializers[slope_name]).astype(np.float64).reshape(-1)
        users = consumers.get(y, [])
        foldable = len(users) == 1 and users[0].op_type == "Conv" and y not in {o.name for o in graph.output}
        sign = np.where(1 - a < 0, -1.0, 1.0) if foldable else np.ones_like(a)
        if not foldable and np.any(1 - a < 0):
            raise SystemExit(f"{node.name}: a slope above 1 needs a following convolution to take its sign")

        base = node.name or y
        linear, positive, relu = f"{y}.linear", f"{y}.positive", f"{y}.relu"
        for part in (
            per_channel_scale(f"{base}.a", z, linear, sign * a),
            per_channel_scale(f"{base}.one_minus_a", z, positive, np.abs(1 - a)),
        ):
            nodes.append(part[0])
            added.extend(part[1])
        nodes.append(helper.make_node("Relu", [positive], [relu], name=f"{base}.relu"))
        nodes.append(helper.make_node("Add", [linear, relu], [y], name=f"{base}.add"))

        if np.any(sign < 0):
            weight = initializers[users[0].input[1]]
            w = numpy_helper.to_array(weight) * sign.astype(np.float32).reshape(1, -1, 1, 1)
            weight.CopyFrom(numpy_helper.from_array(w.astype(np.float32), weight.name))
        rewritten += 1

    del graph.node[:]
    graph.node.extend(nodes)
    used = {name for node in graph.node for name in node.input}
    kept = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept + added)
    onnx.checker.check_model(model)
    return rewritten


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: split-prelu.py <original.onnx> <rewritten.onnx>")
    source, target = sys.argv[1:]
    model = onnx.load(source)
    count = split_prelu(model)
    model.producer_name = f"{model.producer_name} + ganvas split-prelu"
    onnx.save(model, target)
    with open(target, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    print(f"{count} PReLU rewritten; {target}: {os.path.getsize(target)} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
