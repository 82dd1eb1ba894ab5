// Package modelscan looks for code hidden in model files by static
// analysis. Nothing it inspects is ever unpickled, imported or executed,
// and nothing is extracted to disk: archive member names are labels only.
//
// Entry points: Scan (an io.ReaderAt) and ScanPath (a file) return a
// Report per file (verdict, findings, and the Facts the file declares in
// its headers: tensors, parameters, dtypes, quantization, architecture,
// license, ONNX opsets and graph inputs/outputs); Expand turns
// command-line paths into the files to scan (symlinks named explicitly are
// followed, links inside a directory only to regular files within the
// given directories, Hugging Face cache snapshots included; named pipes
// and devices are never opened); Worst, FailOn and ExitCode turn reports
// into CI decisions; WriteJSON (JSON lines) and WriteSARIF (SARIF 2.1.0)
// render them.
//
// The format is decided by content (magic bytes, internal/modelformat,
// whose names the BOM uses too), never by name; a name
// whose extension disagrees with the content is a finding of its own
// (high when the content can execute code and the extension promises a
// data-only format such as .safetensors).
//
// Pickle: a static decoder for protocols 0-5 simulates the unpickler's
// stack and memo symbolically, so STACK_GLOBAL, memo GETs and call
// arguments resolve; opcodes (opcodes.go) are handled by family. Every
// global (GLOBAL, STACK_GLOBAL, INST, EXT codes) is judged against a
// reviewed allowlist (allowlist.json: what torch, numpy, scikit-learn,
// xgboost, lightgbm, catboost, pandas, scipy and collections write; one
// test per entry) and a denylist of callables that run code, spawn
// processes, touch files or the network, or import and resolve names;
// anything on neither list is suspicious. BUILD on an imported global is
// critical. Every stream in a file is decoded (not just the first); a
// stream that breaks is analysed up to the break and flagged, because the
// loader executes every opcode before it, except a headerless first
// stream that breaks within two opcodes having imported and called
// nothing: that is another kind of file (format.not-a-pickle, low).
// Payloads handed to nested loaders (pickle.loads,
// torch.storage._load_from_bytes) are scanned as files of their own, and
// so are payloads hidden in data: strings and bytes that hold a complete
// pickle or a zip, raw or base64/hex encoded (payload.go).
//
// Other formats: safetensors headers are validated and __metadata__
// values that are code are suspicious (safetensors.code-in-metadata);
// Keras configs are walked for Lambda layers (critical), modules outside
// Keras and custom objects (a Keras 2 class name Keras does not have, a
// registered custom name); SavedModel graphs and function libraries for
// PyFunc/EagerPyFunc and file ops; ONNX graphs for custom domains and
// external data outside the model directory; GGUF headers for validity
// (a GGUF without tensors, as llama.cpp ships vocabularies, is valid);
// 7z archives (github.com/bodgit/sevenzip) and zip archives member by
// member. rar and lz4 are unscannable.
//
// Chat templates (tokenizer_config.json and any JSON object with a
// chat_template key, chat_template.json, *.jinja/*.j2/*.jinja2/*.template
// files, GGUF tokenizer.chat_template*) are parsed as Jinja2 by package
// jinja and judged by what they reach (template.go): a dunder name or
// os/eval/popen reached from Python internals is template.ssti (critical),
// names built by concatenation, join, format, escapes or base64/hex are
// resolved first; private attributes are high; gadget roots used as values,
// attribute names taken from data and template loading are medium; code
// under a constant-false condition or in a macro nobody calls is low.
//
// Assumptions, stated so they can be checked:
//
//   - Zip archives are read as PyTorch's loader (caffe2's
//     PyTorchStreamReader over miniz) and Python's zipfile read them: the
//     central directory is authoritative, data begins after the local
//     header whose name/extra lengths come from the local header, sizes
//     and method come from the central directory. Local headers that
//     disagree, duplicate names, overlapping members and CRC mismatches
//     (checked for every member the scanner reads) are reported. Tensor
//     storages (archive/data/*) are not read unless Options.VerifyAllCRC
//     is set. miniz ignores the encryption flag: a flagged member is read
//     as stored; plain content behind the flag is zip.encryption-flag
//     (high) and scanned, content that does not decode is really
//     encrypted (unscannable, low).
//
//   - Decompression budget: stored members cost nothing and are not
//     charged; a compressed member is read at most to its declared size
//     (more is zip.size-mismatch), and pickles are read whatever earlier
//     members used, so decoys cannot starve them.
//
//   - joblib: a pickle that BUILDs a joblib NumpyArrayWrapper is followed
//     by raw array bytes (with joblib's alignment padding) or, for object
//     arrays, by a nested pickle; the decoder skips or decodes them as
//     joblib's NumpyUnpickler does. Every non-legacy pickle is read this
//     way.
//
//   - PyTorch's legacy format is five pickles followed by raw storages; the
//     oldest tar format is read member by member (sys_info and pickle in
//     full, the first record of storages and tensors).
//
//   - HDF5 (.h5 Keras) is not parsed: the model_config attribute is a JSON
//     string stored contiguously, so a bounded search for JSON objects
//     starting with "class_name" or "module" finds it.
//
//   - SavedModel and ONNX protobufs are walked with a minimal wire-format
//     reader, up to 512 MiB. A protobuf is a SavedModel when it walks as
//     meta_graphs → graph_def → node with a text name and op, whatever its
//     first bytes.
//
//   - Payloads in data are followed only when complete (a pickle decoded
//     to STOP at its end, a zip with a readable directory) and at most
//     64 KiB for strings, MaxKeptBytes for bytes, 32 per stream, nested no
//     deeper than MaxNesting; the same payload is scanned once.
//
//   - Facts come from headers only (tensor data is never read): torch
//     tensors are counted from the _rebuild_tensor calls of the file's
//     own pickles, not of nested payloads.
//
//   - Template files have no magic bytes: they are recognised by name;
//     JSON is recognised by content. Templates are at most 8 MiB, JSON
//     carriers 64 MiB. The analysis follows values through set, for,
//     macros (analysed at their first call) and filters; a name the
//     template computes from its input (messages) cannot be resolved and
//     is reported as such, not guessed.
//
// Limits (Options): decompressed bytes per member and in total, the
// ratio above which a member is a zip bomb, a per-file time budget, the
// number of findings, nesting depth and retained symbolic values.
package modelscan
