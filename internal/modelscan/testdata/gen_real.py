#!/usr/bin/env python3
"""Writes testdata/real/{benign,malicious}/: files produced by the real
libraries (Debian: python3-torch python3-numpy python3-joblib
python3-sklearn python3-h5py), so the scanner is also measured on real
encoder output, not only on fixtures built byte by byte in the tests.

Malicious files are only *written* here (pickle.dumps of objects whose
__reduce__ names a dangerous callable); nothing is ever loaded.
Run: python3 testdata/gen_real.py   (from internal/modelscan)
"""
import collections
import datetime
import json
import os
import pickle
import subprocess

import h5py
import onnx
from onnx import TensorProto, helper
import joblib
import numpy as np
import torch
from sklearn.linear_model import LogisticRegression

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "real")
B = os.path.join(OUT, "benign")
M = os.path.join(OUT, "malicious")
os.makedirs(B, exist_ok=True)
os.makedirs(M, exist_ok=True)
torch.manual_seed(0)
np.random.seed(0)


def b(name):
    return os.path.join(B, name)


def m(name):
    return os.path.join(M, name)


# ---- benign ----
net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
torch.save(net.state_dict(), b("state_dict_zip.pt"))
torch.save(net.state_dict(), b("state_dict_legacy.pt"), _use_new_zipfile_serialization=False)
torch.save(net, b("full_model_zip.pt"))
torch.save({"epoch": 3, "model": net.state_dict(), "optimizer": torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9).state_dict(),
            "args": __import__("argparse").Namespace(lr=0.1)}, b("training_checkpoint.pt"))
torch.jit.script(net).save(b("scripted.pt"))
with open(b("tensor_protocol2.pkl"), "wb") as f:
    pickle.dump(torch.ones(3), f, protocol=2)

arr = np.arange(12, dtype=np.float32).reshape(3, 4)
np.save(b("array.npy"), arr)
np.savez(b("arrays.npz"), a=arr, b=np.arange(5))
np.savez_compressed(b("arrays_compressed.npz"), a=arr, b=np.zeros(100))
for proto in range(0, 6):
    with open(b(f"numpy_p{proto}.pkl"), "wb") as f:
        pickle.dump({"x": arr, "s": np.float64(1.5)}, f, protocol=proto)
    with open(b(f"builtins_p{proto}.pkl"), "wb") as f:
        pickle.dump({"set": {1, 2}, "frozen": frozenset([3]), "c": 1 + 2j, "ba": bytearray(b"xy"),
                     "od": collections.OrderedDict(a=1), "sl": slice(1, 5, 2), "r": range(3), "b": b"\x00\x01",
                     "dt": datetime.datetime(2024, 1, 2, 3, 4, 5), "big": 2**80, "neg": -5, "f": 0.25,
                     "dd": collections.defaultdict(list), "t": (None, True, False)}, f, protocol=proto)

clf = LogisticRegression().fit(np.random.rand(20, 3), np.array([0, 1] * 10))
joblib.dump(clf, b("sklearn.joblib"))
for comp in ["zlib", "gzip", "bz2", "xz", "lzma"]:
    joblib.dump(clf, b(f"sklearn_{comp}.joblib"), compress=(comp, 3))

dense = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "dtype": "float32", "name": "input_1"}},
    {"class_name": "Dense", "config": {"name": "dense", "units": 2, "activation": "relu"}}]},
    "keras_version": "2.12.0", "backend": "tensorflow"}
with h5py.File(b("keras_dense.h5"), "w") as f:
    f.attrs["model_config"] = json.dumps(dense)
    f.attrs["keras_version"] = "2.12.0"
    g = f.create_group("model_weights/dense")
    g.create_dataset("kernel:0", data=np.random.rand(4, 2).astype(np.float32))

torch.onnx.export(net, torch.randn(1, 4), b("exported.onnx"))
w = helper.make_tensor("w", TensorProto.FLOAT, [2, 2], np.ones(4, dtype=np.float32).tobytes(), raw=True)
g = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
                      [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 2])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 2])], [w])
model = helper.make_model(g)
onnx.save_model(model, b("external_data.onnx"), save_as_external_data=True, all_tensors_to_one_file=True,
                location="external_data.onnx.data", size_threshold=0)


# ---- malicious (written, never loaded) ----
class Reduce:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


for proto in range(0, 6):
    with open(m(f"os_system_p{proto}.pkl"), "wb") as f:
        pickle.dump(Reduce(os.system, ("id",)), f, protocol=proto)
with open(m("subprocess_popen.pkl"), "wb") as f:
    pickle.dump(Reduce(subprocess.Popen, (["id"],)), f, protocol=4)
with open(m("builtins_exec.pkl"), "wb") as f:
    pickle.dump(Reduce(exec, ("import os; os.system('id')",)), f, protocol=2)
with open(m("eval_in_dict.pkl"), "wb") as f:
    pickle.dump({"weights": arr, "hook": Reduce(eval, ("__import__('os').system('id')",))}, f, protocol=5)
sd = net.state_dict()
sd["evil"] = Reduce(os.system, ("id",))
torch.save(sd, m("state_dict_zip_os_system.pt"))
torch.save(sd, m("state_dict_legacy_os_system.pt"), _use_new_zipfile_serialization=False)
np.save(m("object_array.npy"), np.array([Reduce(os.system, ("id",))], dtype=object), allow_pickle=True)
joblib.dump({"model": clf, "x": Reduce(os.system, ("id",))}, m("sklearn_os_system.joblib"))
joblib.dump({"model": clf, "x": Reduce(os.system, ("id",))}, m("sklearn_os_system_xz.joblib"), compress=("xz", 3))
lam = {"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda", "config": {
    "name": "lambda", "function": ["4wEAAAAAAAAAAAAAAAEAAAADAAAAQwAAAHMEAAAAfABTACkBTqkAKQHaAXhyAQAAAHIBAAAA+gEucgcAAAA=", None, None],
    "function_type": "lambda"}}]}}
with h5py.File(m("keras_lambda.h5"), "w") as f:
    f.attrs["model_config"] = json.dumps(lam)
evil = helper.make_model(helper.make_graph(
    [helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 2])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 2])],
    [helper.make_tensor("w", TensorProto.FLOAT, [2, 2], np.ones(4, dtype=np.float32).tobytes(), raw=True)]))
t = evil.graph.initializer[0]
t.ClearField("raw_data")
t.data_location = TensorProto.EXTERNAL
e = t.external_data.add()
e.key, e.value = "location", "../../../../etc/passwd"
with open(m("external_data_traversal.onnx"), "wb") as f:
    f.write(evil.SerializeToString())
print("written to", OUT)
