# Runtime observations from the tracer (input.runtime.observations):
#   {"type": "file", "path": "/srv/models/x.safetensors", "sha256": "...", "process": "python", "pid": 42}
#   {"type": "connect", "host": "api.openai.com", "port": 443, "process": "python", "pid": 42}
# A model file nobody inventoried, or a hosted AI endpoint nobody approved,
# is exactly what static scanning misses.
package mlbom.runtime

import data.mlbom.lib

observations := lib.list(object.get(input, ["runtime", "observations"], []))

model_extensions := {lower(e) | some e in lib.cfg.runtime.model_extensions}

model_file(path) if regex.replace(lower(path), `^.*(\.[^./]*)$`, "$1") in model_extensions

# Hashes and relative paths of the BOM's weight files (component index).
bom_hashes := lib.index.known_sha256

known_paths := lib.index.known_paths

known(o) if hash_known(o)

hash_known(o) if lower(object.get(o, "sha256", "")) in bom_hashes

# A loaded file is known when one of its path suffixes (at a slash) is a
# path in the BOM: /srv/app/models/bert/x.safetensors matches
# models/bert/x.safetensors. Set lookups, so cost follows path depth, not
# BOM size; each suffix is one substring after a slash rather than a
# re-joined slice of the split path.
known(o) if path_known(o)

path_known(o) if trim_prefix(o.path, "/") in known_paths

path_known(o) if {
	p := trim_prefix(o.path, "/")
	some i in indexof_n(p, "/")
	substring(p, i + 1, -1) in known_paths
}

deny contains f if {
	some o in observations
	o.type == "file"
	model_file(o.path)
	not known(o)
	f := lib.finding(
		"runtime.unknown-model", "high", concat("", ["runtime:file:", o.path]),
		sprintf("process %s loaded model file %s, which is in no BOM", [object.get(o, "process", "?"), o.path]),
		"Find where the file comes from, add its source repository to the scans, or stop the process from loading it.",
	)
}

# Verified, not just observed: a file at a path the BOM lists, whose
# SHA-256 (hashed by the tracer when it was opened) matches no reviewed
# component, is not the model that was reviewed.
deny contains f if {
	some o in observations
	o.type == "file"
	model_file(o.path)
	object.get(o, "sha256", "") != ""
	path_known(o)
	not hash_known(o)
	f := lib.finding(
		"runtime.unverified-model", "high", concat("", ["runtime:file:", o.path]),
		sprintf("process %s loaded %s, whose SHA-256 %s matches no reviewed BOM: the file is not the one that was scanned", [object.get(o, "process", "?"), o.path, o.sha256]),
		"Compare the file with the one in the repository; re-scan if it was updated on purpose, otherwise treat it as tampered.",
	)
}

# providers_of is a set: a host may match more than one provider's patterns.
providers_of(h) := {p |
	some p, hosts in lib.cfg.sources.providers
	lib.host_allowed(h, hosts)
}

allowed_providers := {lower(p) | some p in lib.cfg.sources.allowed_providers}

deny contains f if {
	some o in observations
	o.type == "connect"
	h := lower(o.host)
	some p in providers_of(h)
	not lower(p) in allowed_providers
	f := lib.finding(
		"runtime.unapproved-endpoint", "high", concat("", ["runtime:connect:", h]),
		sprintf("process %s connected to %s (%s), a hosted AI provider that is not approved", [object.get(o, "process", "?"), h, p]),
		"Block the egress or get the provider approved (mlbom.config.sources.allowed_providers).",
	)
}

declared_providers := {lower(lib.prop(s, "mlbom:provider")) | some s in lib.services} | {lower(c.props["mlbom:provider"]) |
	some c in lib.of_kind("service")
}

warn contains f if {
	some o in observations
	o.type == "connect"
	h := lower(o.host)
	some p in providers_of(h)
	lower(p) in allowed_providers
	not lower(p) in declared_providers
	f := lib.finding(
		"runtime.undeclared-endpoint", "medium", concat("", ["runtime:connect:", h]),
		sprintf("process %s connected to %s (%s), which no BOM declares as a service", [object.get(o, "process", "?"), h, p]),
		"Scan the repository of the process so the hosted API appears in its BOM.",
	)
}
