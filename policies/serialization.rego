# Unsafe serialization: weight formats that execute code when loaded
# (pickle and its relatives), and whatever the model-file scanner found.
package mlbom.serialization

import data.mlbom.lib

conf := lib.cfg.serialization

unsafe_formats := {lower(f) | some f in conf.unsafe_formats}

safe_formats := {lower(f) | some f in conf.safe_formats}

format(c) := lower(lib.prop(c, "mlbom:weights.format"))

weights := [c |
	some c in lib.weight_files
	format(c)
]

safe_weights := [c |
	some c in weights
	format(c) in safe_formats
]

# Where safe weights live: their directories, and the models that depend on
# them (CycloneDX dependencies).
safe_dirs := {lib.dir(p) |
	some c in safe_weights
	some p in lib.paths(c)
}

safe_refs := {lib.ref(c) | some c in safe_weights}

models_with_safe_weights := {d.ref |
	some d in dependencies
	some r in lib.list(object.get(d, "dependsOn", []))
	r in safe_refs
}

dependencies := lib.list(object.get(input, ["bom", "dependencies"], []))

parents := {r: {d.ref |
	some d in dependencies
	r in lib.list(object.get(d, "dependsOn", []))
} |
	some r in unsafe_refs
}

unsafe_refs := {lib.ref(c) | some c in unsafe}

has_safe_alternative(c) if {
	some p in lib.paths(c)
	lib.dir(p) in safe_dirs
}

has_safe_alternative(c) if {
	some m in object.get(parents, lib.ref(c), set())
	m in models_with_safe_weights
}

unsafe := [c |
	some c in weights
	format(c) in unsafe_formats
]

deny contains f if {
	some c in unsafe
	has_safe_alternative(c)
	f := lib.finding(
		"serialization.pickle-with-safe-alternative", "high", lib.ref(c),
		sprintf("%s is %s (pickle-based: loading it can run arbitrary code) although a safe format of the same model is available", [lib.display(c), format(c)]),
		"Load the safetensors (or other safe) weights instead and delete the pickle-based file from the repository.",
	)
}

warn contains f if {
	some c in unsafe
	not has_safe_alternative(c)
	f := lib.finding(
		"serialization.pickle", "medium", lib.ref(c),
		sprintf("%s is %s (pickle-based: loading it can run arbitrary code)", [lib.display(c), format(c)]),
		"Convert the weights to safetensors (e.g. with the safetensors convert script) and load them with weights_only=True until then.",
	)
}

# Scanner findings are CycloneDX vulnerabilities affecting a component.
vuln_ids_by_severity[[ref, sev]] contains v.id if {
	some v in lib.list(object.get(input, ["bom", "vulnerabilities"], []))
	some r in lib.list(object.get(v, "ratings", []))
	sev := lower(object.get(r, "severity", ""))
	sev in {"critical", "high"}
	some a in lib.list(object.get(v, "affects", []))
	ref := a.ref
}

deny contains f if {
	some [ref, sev], ids in vuln_ids_by_severity
	sev == "critical"
	f := lib.finding(
		"serialization.scanner-critical", "critical", ref,
		sprintf("%s: the model-file scanner reported critical findings %s", [lib.display_ref(ref), concat(", ", sort(ids))]),
		"Do not load this file. Remove it, rotate any credentials the environment that loaded it could reach, and fetch the model from a trusted source.",
	)
}

warn contains f if {
	some [ref, sev], ids in vuln_ids_by_severity
	sev == "high"
	not vuln_ids_by_severity[[ref, "critical"]]
	f := lib.finding(
		"serialization.scanner-high", "high", ref,
		sprintf("%s: the model-file scanner reported high-severity findings %s", [lib.display_ref(ref), concat(", ", sort(ids))]),
		"Review the scanner findings before loading the file; prefer a safetensors copy.",
	)
}

# A malicious status without a recorded critical vulnerability still denies.
deny contains f if {
	some c in lib.components
	lib.prop(c, "mlbom:modelscan.status") == "malicious"
	not vuln_ids_by_severity[[lib.ref(c), "critical"]]
	f := lib.finding(
		"serialization.scanner-critical", "critical", lib.ref(c),
		sprintf("%s: the model-file scanner marked the file malicious", [lib.display(c)]),
		"Do not load this file. Remove it and fetch the model from a trusted source.",
	)
}
