#!/usr/bin/env python3
"""Copies labelled public samples out of fetched repository mirrors into
samples/public/ and records their provenance in public.tsv.

Only data files are copied (pickles, archives, templates, configs); no
source tree. Each row says where the file came from (repository, commit,
path), its sha256, the licence of the repository, and the label with the
reason for it. Run it again to refresh; the mirrors are bare git
directories (MIRRORS, default /work/.mirror), read with `git show`.

    python3 bench/modelscan/collect.py
"""
import hashlib
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MIRRORS = os.environ.get("MIRRORS", "/work/.mirror")
OUT = os.path.join(HERE, "samples", "public")

PICKLESCAN = ("mmaitre314/picklescan", "MIT")
MODELSCAN = ("protectai/modelscan", "Apache-2.0")
CHATTPL = ("chujiezheng/chat_templates", "MIT")
PATCHES = ("contrapuntal/chat-template-patches", "Apache-2.0")
PILLAR = ("pillar-labs/chat_template_scanner", "Apache-2.0")

M, S, B = "malicious", "suspicious", "benign"


def picklescan_rows():
    g = mirror(PICKLESCAN[0])
    rows = []
    benign = {
        "tests/data/benign0_v0.pkl": "plain data pickle (protocol 0) from the picklescan test suite",
        "tests/data/benign0_v3.pkl": "plain data pickle (protocol 3)",
        "tests/data/benign0_v4.pkl": "plain data pickle (protocol 4)",
        "tests/data/pytorch_model.bin": "real PyTorch legacy checkpoint (OrderedDict of FloatStorage tensors)",
        "tests/data/new_pytorch_model.bin": "real PyTorch zip checkpoint",
        "tests/data/not_a_pickle.bin": "7 bytes of text named .bin: not a model, must not be called a suspicious pickle",
        "tests/data/bad_pytorch.pt": "PNG signature named .pt: a format mismatch, not malicious",
        "tests/data/benign_password_protected.zip": "encrypted zip of a text file: cannot be seen into (unscannable), not an attack",
        "tests/data2/int_array.npy": "numpy integer array",
        "tests/data2/int_arrays.npz": "numpy npz of integer arrays",
        "tests/data2/int_arrays_compressed.npz": "compressed npz of integer arrays",
        "tests/data2/object_array.npy": "numpy object array of plain Python values (pickled with numpy globals only)",
        "tests/data2/object_arrays.npz": "npz of object arrays with numpy globals only",
        "tests/data2/object_arrays_compressed.npz": "compressed npz of object arrays with numpy globals only",
    }
    for path in ls(g, "tests/data") + ls(g, "tests/data2"):
        base = os.path.basename(path)
        if path in benign:
            rows.append((PICKLESCAN, path, B, benign[path]))
        elif base.startswith(("malicious", "GHSA-")) or "exploit" in base or "sploit" in base or base in (
                "pytorch_magic_bypass.pt", "broken_model.pkl", "cloudpickle_codeinjection.pkl", "dns_exfiltration.npy",
                "io_FileIO.pkl", "logging_FileHandler.pkl", "types_CodeType.pkl", "urllib_request_urlopen.pkl"):
            rows.append((PICKLESCAN, path, M, "picklescan test suite: payload or scanner-bypass proof of concept (" + base + ")"))
    return rows


def modelscan_rows():
    return [
        (MODELSCAN, "tests/data/unsafe_zip_pytorch.pt", M, "protectai/modelscan test suite: torch zip whose pickle calls a code-running global"),
        (MODELSCAN, "tests/data/password_protected.zip", B, "encrypted zip of an empty text file: unscannable, not an attack"),
    ]


def template_rows():
    rows = []
    g = mirror(CHATTPL[0])
    for p in ls(g, "chat_templates"):
        rows.append((CHATTPL, p, B, "chat template of a real model family (" + os.path.basename(p) + ")"))
    for p in ls(g, "generation_configs"):
        rows.append((CHATTPL, p, B, "generation_config.json of a real model family"))
    g = mirror(PATCHES[0])
    seen = set()
    for p in ls(g, "templates") + ls(g, "docs/sources"):
        if not p.endswith(".jinja"):
            continue
        data = show(g, p)
        h = hashlib.sha256(data).hexdigest()
        if h in seen:  # identical upstream copies for several model sizes
            continue
        seen.add(h)
        rows.append((PATCHES, p, B, "real Gemma 4 / Qwen 3.5-3.6 chat template or a community fix of one (tools, thinking, macros)"))
    rows.append((PILLAR, "tests/data/gte-small.Q2_K.gguf", B, "GGUF with metadata and a chat template but no tensors"))
    return rows


def mirror(repo):
    return os.path.join(MIRRORS, repo.replace("/", "+"), "repo")


def git(g, *args):
    return subprocess.run(["git", "-C", g, *args], check=True, capture_output=True).stdout


def ls(g, under):
    return sorted(git(g, "ls-tree", "-r", "--name-only", "HEAD", under).decode().split())


def show(g, path):
    return git(g, "show", "HEAD:" + path)


def main():
    rows = picklescan_rows() + modelscan_rows() + template_rows()
    os.makedirs(OUT, exist_ok=True)
    lines = ["file\tlabel\twhy\trepository\tcommit\tpath\tsha256\tlicense"]
    for (repo, lic), path, label, why in rows:
        g = mirror(repo)
        commit = git(g, "rev-parse", "HEAD").decode().strip()
        data = show(g, path)
        rel = os.path.join(repo.replace("/", "+"), path)
        dst = os.path.join(OUT, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "wb") as f:
            f.write(data)
        lines.append("\t".join(["public/" + rel, label, why, repo, commit, path, hashlib.sha256(data).hexdigest(), lic]))
    with open(os.path.join(HERE, "public.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(rows)} public samples", file=sys.stderr)


if __name__ == "__main__":
    main()
