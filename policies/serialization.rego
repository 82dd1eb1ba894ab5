# Unsafe serialization: weight formats that execute code when loaded
# (pickle and its relatives), and whatever the model-file scanner found.
package mlbom.serialization

import data.mlbom.lib

conf := lib.cfg.serialization

unsafe_formats := {lower(f) | some f in conf.unsafe_formats}

safe_formats := {lower(f) | some f in conf.safe_formats}

# Files by format: each distinct format is judged once (component index).
formats := object.get(lib.index.by_prop, "mlbom:weights.format", {})

safe_refs := {c.ref |
	some f, files in formats
	lower(f) in safe_formats
	some c in files
}

dependencies := lib.list(object.get(input, ["bom", "dependencies"], []))

# Files that share a parent (a model's dependsOn list) with safe weights.
# One pass over the dependencies, and only when an unsafe file exists.
safe_siblings := {r |
	some d in dependencies
	deps := lib.list(object.get(d, "dependsOn", []))
	count({s | some s in deps; s in safe_refs}) > 0
	some r in deps
}

# unsafe: [component, format, has a safe alternative].
unsafe := [[c, lower(f), alt] |
	some f, files in formats
	lower(f) in unsafe_formats
	some c in files
	alt := safe_alternative(c.ref, c.paths)
]

# A safe alternative: safe weights in the same directory, or under the same
# model in the dependency graph.
safe_alternative(ref, paths) if {
	some p in paths
	some w in object.get(lib.index.weight_dirs, lib.dir(p), [])
	lower(w.props["mlbom:weights.format"]) in safe_formats
} else if {
	ref in safe_siblings
} else := false

deny contains f if {
	some [c, format, true] in unsafe
	f := lib.finding(
		"serialization.pickle-with-safe-alternative", "high", c.ref,
		sprintf("%s is %s (pickle-based: loading it can run arbitrary code) although a safe format of the same model is available", [c.display, format]),
		"Load the safetensors (or other safe) weights instead and delete the pickle-based file from the repository.",
	)
}

warn contains f if {
	some [c, format, false] in unsafe
	f := lib.finding(
		"serialization.pickle", "medium", c.ref,
		sprintf("%s is %s (pickle-based: loading it can run arbitrary code)", [c.display, format]),
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
	some c in lib.with_prop("mlbom:modelscan.status", "malicious")
	not vuln_ids_by_severity[[c.ref, "critical"]]
	f := lib.finding(
		"serialization.scanner-critical", "critical", c.ref,
		sprintf("%s: the model-file scanner marked the file malicious", [c.display]),
		"Do not load this file. Remove it and fetch the model from a trusted source.",
	)
}
