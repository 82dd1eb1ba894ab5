// Package modelformat names model file formats, once for the whole tool: the
// BOM's mlbom:weights.format, the weights detector and the model-file
// scanner's report all use these names.
//
//   - Sniff recognises a model file by its first bytes (strict: discovery
//     reports what it returns as weights).
//   - Content names the outermost format of any content (permissive: the
//     scanner opens what it returns, containers and compression included).
//   - ZipFormat names a zip archive by its member names.
//   - Name is the name a report gives a scanned file.
//   - ByExt names what an extension stands for, where there are no bytes to
//     look at (Git LFS pointers, DVC outputs).
//
// Older scanner reports used other names for four formats; Canonical maps
// them: numpy-npy → npy, numpy-npz → npz, tf-savedmodel → savedmodel,
// pytorch-tar → pytorch-legacy.
package modelformat

// Model formats (values of mlbom:weights.format).
const (
	Safetensors   = "safetensors"
	PyTorchZip    = "pytorch-zip"
	TorchScript   = "torchscript"
	PyTorchLegacy = "pytorch-legacy"
	Pickle        = "pickle"
	Joblib        = "joblib"
	GGUF          = "gguf"
	GGMLLegacy    = "ggml-legacy"
	ONNX          = "onnx"
	Keras         = "keras"
	HDF5          = "hdf5"
	SavedModel    = "savedmodel"
	TFLite        = "tflite"
	CoreML        = "coreml"
	OpenVINO      = "openvino"
	NPY           = "npy"
	NPZ           = "npz"
	// By extension only (LFS pointers, DVC outputs).
	PyTorch       = "pytorch"
	Flax          = "flax"
	SentencePiece = "sentencepiece"
	Paddle        = "paddle"
	NeMo          = "nemo"
	Llamafile     = "llamafile"
)

// Containers and compression the scanner opens, and what it cannot tell.
const (
	Zip         = "zip"
	Tar         = "tar"
	Gzip        = "gzip"
	Bzip2       = "bzip2"
	XZ          = "xz"
	LZMA        = "lzma"
	Zstd        = "zstd"
	Zlib        = "zlib"
	LZ4         = "lz4"
	SevenZip    = "7z"
	RAR         = "rar"
	JoblibZFile = "joblib-zfile"
	Empty       = "empty"
	Unknown     = "unknown"
)

// legacy are the names older scanner reports used.
var legacy = map[string]string{
	"numpy-npy": NPY, "numpy-npz": NPZ, "tf-savedmodel": SavedModel, "pytorch-tar": PyTorchLegacy,
}

// Canonical returns the current name of a format name, mapping the names
// older scanner reports used.
func Canonical(name string) string {
	if n, ok := legacy[name]; ok {
		return n
	}
	return name
}

// Extensions that name weight files; used only to refine a format found by
// content, and to give LFS pointers (which have no content) a format.
var byExt = map[string]string{
	".safetensors": Safetensors, ".pt": PyTorch, ".pth": PyTorch, ".bin": PyTorch,
	".ckpt": PyTorch, ".pkl": Pickle, ".pickle": Pickle, ".joblib": Joblib,
	".gguf": GGUF, ".ggml": GGUF, ".onnx": ONNX, ".keras": Keras, ".h5": HDF5,
	".hdf5": HDF5, ".pb": SavedModel, ".tflite": TFLite, ".mlmodel": CoreML,
	".npy": NPY, ".npz": NPZ, ".msgpack": Flax, ".model": SentencePiece,
	".pdparams": Paddle, ".nemo": NeMo, ".llamafile": Llamafile,
}

// ByExt names the format a file extension (lower case, with the dot) stands
// for.
func ByExt(ext string) (format string, ok bool) {
	format, ok = byExt[ext]
	return format, ok
}

// Name is the format a report gives a scanned file: the scanner's content
// format once a container reader has classified it (a zip by its central
// directory, a tar of PyTorch's legacy format), else the model format its
// first bytes show (a pickle or compressed dump that is joblib's, an HDF5
// file that is a Keras model, a protobuf that is CoreML), else the content
// format. Discovery's weights detector gives the same names, so a file's
// report and its BOM component agree.
func Name(content string, head []byte, name string) string {
	content = Canonical(content)
	switch content {
	case Zip, PyTorchZip, TorchScript, Keras, NPZ, PyTorchLegacy:
		return content
	}
	if f, ok := Sniff(head, name); ok {
		return f
	}
	return content
}
