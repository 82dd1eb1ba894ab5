package modelscan

import (
	_ "embed"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

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
	"zipfile", "tarfile", "aiohttp", "httpx", "urllib3", "paramiko", "fabric", "invoke", "sh", "pexpect",
	"_aix_support", "_osx_support", "_pyrepl", "test.support", "lib2to3", "logging.handlers", "logging.config",
	"_io",
	// tools, compilers and profilers shipped inside ML libraries: they run
	// subprocesses, compile code or load nested payloads
	"numpy.f2py", "numpy.distutils", "numpy.testing", "torch.utils.bottleneck", "torch.utils.collect_env",
	"torch.utils._config_module", "torch.utils.data.datapipes.utils.decoder", "torch._inductor", "torch._dynamo",
	"torch.utils.cpp_extension", "torch.hub", "torch.package",
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
	"logging.FileHandler": true, "logging.StreamHandler": false, "uuid._get_command_stdout": true,
	"operator.itemgetter": false,
}

// The allowlist (allowlist.json) names what ordinary checkpoints and the
// pickles of well-known libraries reference: exact module.name entries and
// module-family prefixes. It is one reviewed data file; each entry is
// exercised by a test.
//
//go:embed allowlist.json
var allowlistJSON []byte

type allowEntry struct {
	Global  string `json:"global,omitempty"`
	Prefix  string `json:"prefix,omitempty"`
	Family  string `json:"family"`
	Why     string `json:"why"`
	Example string `json:"example,omitempty"`
}

var allowlist = func() (out struct {
	entries  []allowEntry
	names    map[string]bool
	prefixes []string
}) {
	var doc struct {
		Entries []allowEntry `json:"entries"`
	}
	if err := json.Unmarshal(allowlistJSON, &doc); err != nil {
		panic("modelscan: allowlist.json: " + err.Error())
	}
	out.entries = doc.Entries
	out.names = map[string]bool{}
	for _, e := range doc.Entries {
		if e.Global != "" {
			out.names[e.Global] = true
		} else {
			out.prefixes = append(out.prefixes, e.Prefix)
		}
	}
	return out
}()

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
	if s == "" || len(s) > 512 || !utf8.ValidString(s) {
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
	if allowlist.names[full] {
		return verdictAllowed, ""
	}
	if (mod == "torch" || mod == "torch.cuda") && (strings.HasSuffix(name, "Storage") || strings.HasSuffix(name, "Tensor")) {
		return verdictAllowed, "" // storage and legacy tensor classes
	}
	if mod == "torch" && (torchDtypes[name] || strings.HasPrefix(name, "float8_") || strings.HasPrefix(name, "float4_") ||
		(len(name) <= 5 && (strings.HasPrefix(name, "int") || strings.HasPrefix(name, "uint")))) {
		return verdictAllowed, ""
	}
	for _, p := range allowlist.prefixes {
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
