"""The parity suite's numpy side (InoxParityTest runs it; see operators/MODULES.md).

  inox_parity.py weights SPEC.json WIDTH OUT.npz SEED
      random parameters for the spec's module tree, named as inox names them
      ('.lin_h.weight.value': the path of inox's Module.partition), float32
  inox_parity.py check MODULES.md SPEC.json WIDTH WEIGHTS.npz INPUT.csv OUTPUT_DIR STATE_DIR TOL
      runs MODULES.md's snippets over INPUT.csv per key and compares every output and every
      key's final state (--final-state STATE_DIR; '-' for a stateless model) with the job's;
      exit 1 with the differences otherwise

Independent of the Java code: the only shared things are the spec, the .npz and the records.
"""
import csv
import json
import os
import re
import sys
import types

import numpy as np


# ---- weights, as inox would name them -------------------------------------------------------

def weights(spec, path, width, rng, out):
    """Adds the arrays of the module at `path` to `out`; returns its output width."""
    t = spec["type"]

    def linear(name, n_in, n_out):
        bound = 1 / np.sqrt(n_in)  # inox's Linear: U(±1/√in); a non-zero bias, to see it used
        out[path + name + ".weight.value"] = rng.uniform(-bound, bound, (n_in, n_out)).astype(np.float32)
        if spec.get("bias", True):
            out[path + name + ".bias.value"] = rng.uniform(-0.5, 0.5, n_out).astype(np.float32)

    if t == "linear":
        n = spec.get("out", width)
        linear("", width, n)
        return n
    if t == "mlp":
        hidden, n = spec.get("hidden", 64), spec.get("out", width)
        linear(".l1", width, hidden)
        linear(".l2", hidden, hidden)
        linear(".l3", hidden, n)
        return n
    if t in ("gru", "lstm"):
        h, gates = spec.get("hidden", width), 3 if t == "gru" else 4
        linear(".lin_h", h, gates * h)
        linear(".lin_x", width, gates * h)
        return h
    if t == "layernorm" and spec.get("affine", False):
        out[path + ".weight.value"] = rng.uniform(0.5, 1.5, width).astype(np.float32)
        out[path + ".bias.value"] = rng.uniform(-0.5, 0.5, width).astype(np.float32)
    if t == "batchnorm":  # a trained model's running statistics (state, not parameters)
        out[path + ".stats.mean"] = rng.normal(0, 1, width).astype(np.float32)
        out[path + ".stats.var"] = rng.uniform(0.5, 3, width).astype(np.float32)
    if t == "sequential":
        for i, layer in enumerate(spec["layers"]):
            width = weights(layer, path + f".layers[{i}]", width, rng, out)
    return width


# ---- the snippets of MODULES.md ---------------------------------------------------------------

def snippets(doc):
    """The ```python blocks of MODULES.md that start with '# module: a, b — ...', by type."""
    found = {}
    for block in re.findall(r"```python\n(.*?)```", open(doc, encoding="utf-8").read(), re.S):
        head = re.match(r"# module: ([a-z, ]+)", block)
        if head:
            for t in head.group(1).split(","):
                found[t.strip()] = block
    return found


def preamble(doc):
    """The preamble block (the first ```python block), run with its np.load on our file."""
    return re.search(r"```python\n(.*?)```", open(doc, encoding="utf-8").read(), re.S).group(1)


def loader(doc, weights_file):
    base = {}
    exec(preamble(doc).replace('"weights.npz"', repr(weights_file)), base)
    code = snippets(doc)

    def module(spec, path, width):
        if spec["type"] not in code:
            raise SystemExit(f"MODULES.md has no snippet for type {spec['type']}")
        ns = dict(base, P=path, spec=spec, width=width, module=module)
        exec(code[spec["type"]], ns)
        init, forward = ns["init"], ns["forward"]
        y, _ = forward(np.zeros(width), init())
        return types.SimpleNamespace(init=init, forward=forward, width=len(y))

    return module


def camel(path):
    """inox's snake_case path in Java's spelling (.in_stats.first -> .inStats.first)."""
    return re.sub(r"(?<=[A-Za-z0-9])_([A-Za-z0-9])", lambda m: m.group(1).upper(), path)


def json_lines(directory):
    rows = []
    for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
        if not name.startswith("."):
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                rows += [json.loads(line) for line in f if line.strip()]
    return rows


def check(doc, spec_file, width, weights_file, input_csv, output_dir, state_dir, tol):
    spec = json.load(open(spec_file, encoding="utf-8"))["module"]
    model = loader(doc, weights_file)(spec, "", width)
    source = os.path.basename(input_csv)
    with open(input_csv, encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [(r[0], np.array([float(v) for v in r[1:]])) for r in reader]
    assert header[0] == "k", header

    expected, states = {}, {}
    for seq, (key, x) in enumerate(rows):
        y, states[key] = model.forward(x, states[key] if key in states else model.init())
        expected[seq] = (key, np.atleast_1d(y))

    problems = []
    outputs = json_lines(output_dir)
    seen = set()
    worst = 0.0
    for o in outputs:
        seq = o["seq"]
        if o["source"] != source or seq not in expected or seq in seen:
            problems.append(f"unexpected or repeated output {o}")
            continue
        seen.add(seq)
        key, y = expected[seq]
        got = np.array(o["output"], dtype=np.float64)
        if o["key"] != key or got.shape != y.shape or not np.allclose(got, y, rtol=tol, atol=tol):
            problems.append(f"record {seq} (key {key}): job {got.tolist()}, numpy {y.tolist()}")
        else:
            worst = max(worst, float(np.max(np.abs(got - y), initial=0)))
    if len(seen) != len(rows):
        problems.append(f"{len(rows)} records, but the job wrote {len(seen)} distinct outputs")

    # The job stores an entry once a key changes it: one it never wrote is still init()'s.
    initial = {camel(name): np.atleast_1d(v) for name, v in model.init().items()}
    final = {} if state_dir == "-" else {
        (r["key"], r["stateKey"]): np.array(r["values"], dtype=np.float64) for r in json_lines(state_dir)}
    want = {(key, camel(name)): np.atleast_1d(v) for key, s in states.items() for name, v in s.items()}
    if state_dir == "-" and want:
        problems.append(f"the snippets keep state {sorted(initial)}, but the test expected a stateless model")
    if not set(final) <= set(want):
        problems.append(f"state entries the snippets do not have: {sorted(set(final) - set(want))}")
    for k, v in want.items():
        got = final.get(k, initial[k[1]])
        if got.shape != v.shape or not np.allclose(got, v, rtol=tol, atol=tol):
            problems.append(f"final state {k}: job {got.tolist()}, numpy {v.tolist()}"
                            + ("" if k in final else " (the job never wrote it: its initial value)"))

    if problems:
        print(f"{len(problems)} differences from MODULES.md's numpy snippets:", *problems[:20], sep="\n  ")
        return 1
    print(f"match: {len(rows)} outputs of {len(states)} keys and {len(want)} final state entries "
          f"(max |job - numpy| {worst:.3g}, tolerance {tol})")
    return 0


def main(argv):
    if argv[0] == "weights":
        spec_file, width, out_file, seed = argv[1], int(argv[2]), argv[3], int(argv[4])
        arrays = {}
        weights(json.load(open(spec_file, encoding="utf-8"))["module"], "", width, np.random.default_rng(seed), arrays)
        np.savez(out_file, **arrays)
        print(" ".join(sorted(arrays)))
        return 0
    if argv[0] == "check":
        return check(argv[1], argv[2], int(argv[3]), argv[4], argv[5], argv[6], argv[7], float(argv[8]))
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
