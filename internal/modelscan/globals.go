package modelscan

import "strings"

// verdict on one global reference (module, name) found in a pickle.
type verdict int

const (
	verdictAllowed verdict = iota
	verdictUnknown         // on neither list: suspicious, never silently clean
	verdictRisky           // not denylisted but its name or shape says "code"
	verdictDenied          // runs code, spawns, touches files/network, imports
	verdictInvalid         // not an identifier path: the loader cannot import it
)

// Module aliases the unpickler applies (Python 2 fix_imports and the
// platform names of os).
var moduleAlias = map[string]string{
	"__builtin__": "builtins",
	"exceptions":  "builtins",
	"copy_reg":    "copyreg",
	"posix":       "os",
	"nt":          "os",
	"cPickle":     "pickle",
	"_pickle":     "pickle",
	"commands":    "subprocess",
	"popen2":      "subprocess",
	"urllib2":     "urllib",
	"httplib":     "http",
	"__main__":    "__main__",
}

// deniedModules: any name from these modules (or their submodules) is
// critical. They run code, spawn processes, touch files or the network, or
// import and resolve names dynamically.
var deniedModules = []string{
	"os", "subprocess", "_posixsubprocess", "runpy", "pip", "importlib", "pkgutil",
	"webbrowser", "socket", "_socket", "ssl", "shutil", "sys", "code", "codeop", "pty", "ctypes", "_ctypes",
	"asyncio", "multiprocessing", "concurrent", "threading", "_thread", "signal",
	"marshal", "pickle", "dill", "cloudpickle", "shelve", "urllib", "http", "requests",
	"ftplib", "smtplib", "telnetlib", "poplib", "imaplib", "xmlrpc", "socketserver",
	"tempfile", "glob", "pathlib", "fileinput", "zipimport", "imp", "pdb", "bdb",
	"timeit", "trace", "profile", "cProfile", "doctest", "idlelib", "distutils",
	"setuptools", "ensurepip", "venv", "platform", "pydoc", "tkinter",
	"nturl2path", "sqlite3", "dbm", "mailcap", "cgi", "wsgiref", "site",
	"sysconfig", "inspect", "gc", "resource", "fcntl", "mmap", "select", "selectors",
	"zipfile", "tarfile",
}

// deniedNames: specific callables in otherwise ordinary modules.
var deniedNames = map[string]bool{
	"builtins.exec": true, "builtins.eval": true, "builtins.compile": true,
	"builtins.__import__": true, "builtins.getattr": true, "builtins.setattr": true,
	"builtins.delattr": true, "builtins.open": true, "builtins.breakpoint": true,
	"builtins.input": true, "builtins.globals": true, "builtins.locals": true,
	"builtins.vars": true, "builtins.execfile": true, "builtins.file": true,
	"builtins.reload": true, "builtins.help": true, "builtins.memoryview": false,
	"builtins.classmethod": true, "builtins.staticmethod": true, "builtins.property": true,
	"builtins.type": true, "builtins.super": true, "builtins.object.__reduce__": true,
	"types.FunctionType": true, "types.CodeType": true, "types.MethodType": true,
	"types.ModuleType": true, "types.LambdaType": true, "types.BuiltinFunctionType": true,
	"types.new_class": true, "types.SimpleNamespace": false,
	"operator.attrgetter": true, "operator.methodcaller": true, "operator.call": true,
	"functools.partial": true, "functools.reduce": true, "functools.partialmethod": true,
	"torch.load": true, "torch.serialization.load": true, "torch.jit.load": true,
	"torch.hub.load": true, "torch.hub.load_state_dict_from_url": true,
	"torch.hub.download_url_to_file": true, "torch.package.PackageImporter": true,
	"torch.jit.unsupported_tensor_ops.execWrapper": true, "torch._C._jit_get_operation": true,
	"torch.fx.experimental.symbolic_shapes.ShapeEnv.evaluate_guards_expression": true,
	"torch.utils.cpp_extension.load":                                            true, "torch.utils.cpp_extension.load_inline": true,
	"torch._dynamo.guards.GuardBuilder.get": true, "torch._inductor.codecache.compile_file": true,
	"torch.from_file": true, "torch.save": true, "torch.serialization.save": true, "numpy.save": true,
	"numpy.savez": true, "numpy.savetxt": true, "numpy.memmap": true, "numpy.genfromtxt": true,
	"numpy.load": true, "numpy.lib.npyio.load": true, "numpy.loadtxt": true, "numpy.fromfile": true,
	"numpy.testing._private.utils.runstring": true, "numpy.f2py.compile": true,
	"numpy.distutils.exec_command.exec_command": true, "numpy.ctypeslib.load_library": true,
	"joblib.load": true, "joblib.numpy_pickle.load": true, "pandas.read_pickle": true,
	"pandas.io.pickle.read_pickle": true, "keras.models.load_model": true,
	"yaml.load": true, "yaml.unsafe_load": true, "jinja2.Template": true,
	"copyreg._reconstructor.__call__": true, "apply": true, "builtins.apply": true,
	"code.InteractiveInterpreter": true, "_operator.attrgetter": true, "_operator.methodcaller": true,
	"_functools.partial": true, "_functools.reduce": true, "_codecs.open": true, "codecs.open": true,
	"codecs.decode": false, "builtins.bytes.fromhex": false, "os.system": true,
	"io.open": true, "io.FileIO": true, "io.open_code": true, "_io.open": true, "_io.FileIO": true,
	"gzip.open": true, "bz2.open": true, "lzma.open": true, "uuid._popen": true,
	"bz2.BZ2File": true, "gzip.GzipFile": true, "lzma.LZMAFile": true,
}

// allowedNames: what ordinary checkpoints (torch.save, numpy, joblib,
// scikit-learn) reference. Exact module.name.
var allowedNames = map[string]bool{
	"collections.OrderedDict": true, "collections.defaultdict": true, "collections.Counter": true,
	"collections.deque": true, "collections.namedtuple": false,
	"builtins.set": true, "builtins.frozenset": true, "builtins.slice": true, "builtins.complex": true,
	"builtins.range": true, "builtins.xrange": true, "builtins.bytearray": true, "builtins.list": true, "builtins.dict": true,
	"builtins.tuple": true, "builtins.int": true, "builtins.float": true, "builtins.str": true,
	"builtins.bool": true, "builtins.bytes": true, "builtins.object": true, "builtins.unicode": true,
	"builtins.long": true, "builtins.NoneType": true, "builtins.Ellipsis": true,
	"copyreg._reconstructor": true, "copyreg.__newobj__": true, "copyreg.__newobj_ex__": true,
	"_codecs.encode":     true, // numpy protocol-2 pickles: bytes as encode(str, "latin1")
	"argparse.Namespace": true, "datetime.datetime": true, "datetime.date": true,
	"datetime.timedelta": true, "datetime.timezone": true, "decimal.Decimal": true,
	"fractions.Fraction": true, "uuid.UUID": true, "pathlib.PosixPath": false,
	"torch._utils._rebuild_tensor": true, "torch._utils._rebuild_tensor_v2": true,
	"torch._utils._rebuild_tensor_v3": true, "torch._utils._rebuild_parameter": true,
	"torch._utils._rebuild_parameter_with_state": true, "torch._utils._rebuild_sparse_tensor": true,
	"torch._utils._rebuild_sparse_csr_tensor": true, "torch._utils._rebuild_qtensor": true,
	"torch._utils._rebuild_device_tensor_from_numpy": true, "torch._utils._rebuild_meta_tensor_no_storage": true,
	"torch._utils._rebuild_wrapper_subclass": true, "torch._utils._rebuild_nested_tensor": true,
	"torch._utils._rebuild_xla_tensor": true, "torch._utils._rebuild_mlc_tensor": true,
	"torch._tensor._rebuild_from_type_v2": true, "torch._tensor._rebuild_from_type": true,
	"torch.nn.parameter.Parameter": true, "torch.nn.parameter.Buffer": true, "torch.Tensor": true,
	"torch.Size": true, "torch.device": true, "torch.dtype": true, "torch.layout": true,
	"torch.memory_format": true, "torch.qscheme": true, "torch.storage.UntypedStorage": true,
	"torch.storage.TypedStorage": true, "torch.storage._load_from_bytes": true, // payload scanned as a nested file
	"torch.UntypedStorage": true, "torch.TypedStorage": true, "torch.finfo": true, "torch.iinfo": true,
	"torch.strided": true, "torch.sparse_coo": true, "torch.sparse_csr": true, "torch.contiguous_format": true,
	"torch.channels_last": true, "torch.channels_last_3d": true, "torch.preserve_format": true,
	"torch.per_tensor_affine": true, "torch.per_channel_affine": true, "torch.per_tensor_symmetric": true,
	"torch.per_channel_symmetric": true, "torch.per_channel_affine_float_qparams": true,
	"torch.nn.modules.container.ModuleDict": true, "torch.serialization._get_layout": true,
	"torch._utils._rebuild_device_tensor_from_cpu_tensor": true,
	"numpy.core.multiarray._reconstruct":                  true, "numpy._core.multiarray._reconstruct": true,
	"numpy.core.multiarray.scalar": true, "numpy._core.multiarray.scalar": true,
	"numpy.core.numeric._frombuffer": true, "numpy._core.numeric._frombuffer": true,
	"numpy.dtype": true, "numpy.ndarray": true, "numpy.ma.core._mareconstruct": true,
	"numpy.random._pickle.__randomstate_ctor": true, "numpy.random._pickle.__bit_generator_ctor": true,
	"numpy.random._pickle.__generator_ctor": true, "numpy.random.__RandomState_ctor": true,
	"numpy.random.mtrand.RandomState": true, "numpy.random._mt19937.MT19937": true,
	"joblib.numpy_pickle.NumpyArrayWrapper": true, "joblib.numpy_pickle.NDArrayWrapper": true,
	"sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper": true,
	"scipy.sparse._csr.csr_matrix":                            true, "scipy.sparse.csr.csr_matrix": true,
	"scipy.sparse._csc.csc_matrix": true, "scipy.sparse._coo.coo_matrix": true,
}

// allowedPrefixes: families of plain data classes (constructed with NEWOBJ
// and filled with BUILD) that carry no code of their own. Anything
// denylisted is checked first, so a gadget inside one of these modules is
// still caught.
var allowedPrefixes = []string{
	"torch.nn.modules.", "numpy.dtypes.", "sklearn.", "__torch__.", "torch.jit._pickle.", "xgboost.sklearn.", "lightgbm.sklearn.",
}

// torch dtype and storage names found as GLOBAL torch <name>.
var torchDtypes = map[string]bool{
	"float32": true, "float": true, "float64": true, "double": true, "float16": true, "half": true,
	"bfloat16": true, "uint8": true, "int8": true, "int16": true, "short": true, "int32": true,
	"int": true, "int64": true, "long": true, "bool": true, "complex64": true, "complex128": true,
	"cfloat": true, "cdouble": true, "quint8": true, "qint8": true, "qint32": true, "quint4x2": true,
	"quint2x4": true, "float8_e4m3fn": true, "float8_e5m2": true, "float8_e4m3fnuz": true,
	"float8_e5m2fnuz": true, "uint16": true, "uint32": true, "uint64": true, "complex32": true, "chalf": true,
}

// riskyNameParts: unknown callables whose names say they run, load or
// resolve something are scored high rather than medium.
var riskyNames = map[string]bool{
	"system": true, "popen": true, "Popen": true, "exec": true, "eval": true, "execfile": true,
	"compile": true, "spawn": true, "spawnl": true, "spawnv": true, "spawnve": true, "execv": true,
	"execve": true, "call": true, "check_call": true, "check_output": true, "run": true,
	"getoutput": true, "getstatusoutput": true, "loads": true, "load": true, "__import__": true,
	"import_module": true, "runstring": true, "execWrapper": true, "resolve_name": true,
	"getattr": true, "open": true, "urlopen": true, "urlretrieve": true, "remove": true,
	"rmtree": true, "unlink": true, "write": true, "load_library": true, "LoadLibrary": true,
	"CDLL": true, "dlopen": true, "fork": true, "kill": true, "create_subprocess_shell": true,
	"create_subprocess_exec": true, "start_new_thread": true, "run_path": true, "run_module": true,
}

func normalizeModule(m string) string {
	head, rest, found := strings.Cut(m, ".")
	if a, ok := moduleAlias[head]; ok {
		head = a
	}
	if found {
		return head + "." + rest
	}
	return head
}

func isIdentPath(s string) bool {
	if s == "" || len(s) > 512 {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" {
			return false
		}
		for i, r := range part {
			ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9') || r > 127
			if !ok {
				return false
			}
		}
	}
	return true
}

var deniedModuleSet = func() map[string]bool {
	m := make(map[string]bool, len(deniedModules))
	for _, d := range deniedModules {
		m[d] = true
	}
	return m
}()

// moduleDenied reports whether mod or one of its parent packages is denied.
func moduleDenied(mod string) bool {
	for {
		if deniedModuleSet[mod] {
			return true
		}
		i := strings.LastIndexByte(mod, '.')
		if i < 0 {
			return false
		}
		mod = mod[:i]
	}
}

// judgeGlobal classifies module.name and explains why.
func judgeGlobal(module, name string) (verdict, string) {
	if !isIdentPath(module) || !isIdentPath(name) {
		return verdictInvalid, "not an importable identifier; the loader fails here"
	}
	mod := normalizeModule(module)
	full := mod + "." + name
	if moduleDenied(mod) {
		return verdictDenied, "module " + mod + " runs code, spawns processes, touches files or the network, or imports dynamically"
	}
	if deniedNames[full] {
		return verdictDenied, full + " executes code, loads nested payloads or resolves names dynamically"
	}
	if strings.Contains(name, ".") {
		// Protocol 4+ loaders resolve dotted names attribute by attribute, so
		// "torch.serialization" + "os.system" reaches os.system.
		for _, part := range strings.Split(name, ".") {
			if moduleDenied(normalizeModule(part)) || deniedNames["builtins."+part] || riskyNames[part] {
				return verdictDenied, "dotted name traversal from " + mod + " reaches " + part + " (" + name + ")"
			}
		}
		return verdictRisky, "dotted name " + name + " walks attributes of " + mod + "; a static allowlist cannot vet the target"
	}
	if allowedNames[full] {
		return verdictAllowed, ""
	}
	if (mod == "torch" || mod == "torch.cuda") && (strings.HasSuffix(name, "Storage") || strings.HasSuffix(name, "Tensor")) {
		return verdictAllowed, "" // storage and legacy tensor classes
	}
	if mod == "torch" && (torchDtypes[name] || strings.HasPrefix(name, "float8_") || strings.HasPrefix(name, "float4_") ||
		(len(name) <= 5 && (strings.HasPrefix(name, "int") || strings.HasPrefix(name, "uint")))) {
		return verdictAllowed, ""
	}
	for _, p := range allowedPrefixes {
		if strings.HasPrefix(full, p) {
			if riskyNames[name] {
				return verdictRisky, full + " is in an allowed family but is named like a code-running callable"
			}
			return verdictAllowed, ""
		}
	}
	if riskyNames[name] || strings.HasPrefix(name, "exec") || strings.HasPrefix(name, "spawn") {
		return verdictRisky, full + " is not on the allowlist and is named like a code-running callable"
	}
	return verdictUnknown, full + " is not on the allowlist of globals ordinary checkpoints use"
}
