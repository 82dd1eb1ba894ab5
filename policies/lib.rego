# Shared helpers for the mlbom policies: component and property lookup,
# license extraction, name and host parsing, and a bounded edit distance.
# Everything expensive is a complete rule, so OPA computes it once per
# evaluation however many policies use it.
package mlbom.lib

cfg := data.mlbom.config

components := object.get(input, ["bom", "components"], [])

services := object.get(input, ["bom", "services"], [])

# prop returns the value of property name on x (a component or service);
# undefined when absent.
prop(x, name) := v if {
	some p in object.get(x, "properties", [])
	p.name == name
	v := p.value
}

# prop_or returns the property or a default.
prop_or(x, name, def) := v if {
	v := prop(x, name)
} else := def

# kind is the asset kind (mlbom:asset.kind), or the CycloneDX type when the
# property is missing (a machine-learning-model component is a model).
kind(c) := k if {
	k := prop(c, "mlbom:asset.kind")
} else := "model" if {
	c.type == "machine-learning-model"
} else := "dataset" if {
	c.type == "data"
} else := object.get(c, "type", "")

ref(c) := object.get(c, "bom-ref", object.get(c, "name", ""))

# display is a human name for messages: group/name@version.
display(c) := s if {
	g := object.get(c, "group", "")
	g != ""
	not contains(object.get(c, "name", ""), "/")
	s := sprintf("%s/%s", [g, c.name])
} else := object.get(c, "name", "")

# Component indexes grouped by kind, computed once: policies iterate only the
# kinds they care about instead of the whole BOM. Indexes, not components:
# putting 5k large objects into sets costs seconds (every insert hashes and
# compares whole objects); arrays of references cost nothing.
#
# A complete rule built by comprehensions, not "kind_index[k] contains i":
# OPA evaluates that multi-value form far more slowly on 5k components.
kinds := [kind(c) | some c in components]

kind_index := {k: {i | some i, x in kinds; x == k} | some k in {x | some x in kinds}}

of_kind(k) := [components[i] | some i in object.get(kind_index, k, set())]

# ref_index maps bom-refs to component indexes. A malformed BOM may repeat a
# bom-ref, which would make the object conflict; then the index stays empty
# and display_ref searches linearly.
ref_list := [ref(c) | some c in components]

refs_unique if count({r | some r in ref_list}) == count(ref_list)

ref_index := {r: i |
	refs_unique
	some i, r in ref_list
}

# display_ref is the display name of a bom-ref, or the ref itself.
display_ref(r) := display(components[ref_index[r]]) if {
	refs_unique
	ref_index[r]
} else := names[0] if {
	not refs_unique
	names := [display(c) | some c in components; ref(c) == r]
	count(names) > 0
} else := r

# weight files: components of kind weights, or carrying a weights format.
weight_files := [c |
	some c in components
	is_weight_file(c)
]

is_weight_file(c) if kind(c) == "weights"

is_weight_file(c) if {
	kind(c) != "weights"
	prop(c, "mlbom:weights.format")
}

# org is the organisation of a model or dataset: the CycloneDX group, or the
# part before the slash of a Hugging Face id.
org(c) := o if {
	o := c.group
	o != ""
} else := o if {
	parts := split(c.name, "/")
	count(parts) == 2
	o := parts[0]
	o != ""
}

# fullname is "org/name" for hub ids, the bare name otherwise.
fullname(c) := n if {
	contains(c.name, "/")
	n := c.name
} else := n if {
	o := org(c)
	n := sprintf("%s/%s", [o, c.name])
} else := c.name

# licenses yields every license identifier of a component: SPDX ids,
# license names (LicenseRefs or free text) and the terms of expressions.
licenses(c) := {l |
	some entry in object.get(c, "licenses", [])
	some l in entry_ids(entry)
}

entry_ids(entry) := {id} if {
	id := entry.license.id
} else := {n} if {
	n := entry.license.name
} else := expression_ids(entry.expression)

# expression_ids splits an SPDX expression into its license ids; WITH
# exceptions are dropped (the base license decides).
expression_ids(expr) := {t |
	no_with := regex.replace(expr, `(?i)\s+WITH\s+[^\s()]+`, "")
	cleaned := replace(replace(no_with, "(", " "), ")", " ")
	some w in split(cleaned, " ")
	t := trim_space(w)
	t != ""
	not upper(t) in {"AND", "OR"}
}

# is_disjunction: an expression offering a choice (A OR B) where the user
# may pick any alternative.
is_disjunction(c) if {
	some entry in object.get(c, "licenses", [])
	regex.match(`(?i)\sOR\s`, object.get(entry, "expression", ""))
	not regex.match(`(?i)\sAND\s`, entry.expression)
}

# matches is true when s matches any glob pattern (case-insensitive; "*"
# spans any characters).
matches(patterns, s) if {
	some p in patterns
	glob.match(lower(p), null, lower(s))
}

# host extracts the host of a URL (without port or credentials).
host(url) := lower(h) if {
	m := regex.find_all_string_submatch_n(`^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/:?#]+)`, url, 1)
	h := m[0][1]
}

# host_allowed: host equals an entry or is a subdomain of a "*.domain" entry.
host_allowed(h, allowed) if {
	some a in allowed
	glob.match(lower(a), ["."], h)
}

# URLs a component was (or will be) fetched from.
source_urls(c) := {r.url |
	some r in object.get(c, "externalReferences", [])
	r.type in {"distribution", "vcs", "distribution-intake"}
}

# The SHA-256 digests of a component.
sha256s(c) := {lower(h.content) |
	some h in object.get(c, "hashes", [])
	upper(h.alg) == "SHA-256"
}

# normalize a field name for comparison: "Training Data", "training_data"
# and "trainingData" are the same field.
norm_field(s) := lower(regex.replace(s, `[^A-Za-z0-9]`, ""))

# ---- bounded edit distance --------------------------------------------------
# Rego has no recursion, so Levenshtein distance is decided only up to a
# small bound k <= 2 by unrolling: strip the common prefix, then at the first
# mismatch try deleting from a, deleting from b, or substituting.

# within(a, b, k): Levenshtein distance of a and b is at most k (k in 0..2).
within(a, b, 0) if a == b

within(a, b, 1) if within1(a, b)

within(a, b, 2) if within2(a, b)

within1(a, b) if a == b

within1(a, b) if {
	abs(count(a) - count(b)) <= 1
	p := common_prefix(a, b)
	tails_equal_after_one(substring(a, p, -1), substring(b, p, -1))
}

# tails_equal_after_one: a and b differ at their first character; one edit
# there makes them equal.
tails_equal_after_one(a, b) if substring(a, 1, -1) == b

tails_equal_after_one(a, b) if a == substring(b, 1, -1)

tails_equal_after_one(a, b) if substring(a, 1, -1) == substring(b, 1, -1)

within2(a, b) if within1(a, b)

within2(a, b) if {
	abs(count(a) - count(b)) <= 2
	p := common_prefix(a, b)
	ta := substring(a, p, -1)
	tb := substring(b, p, -1)
	some pair in [[substring(ta, 1, -1), tb], [ta, substring(tb, 1, -1)], [substring(ta, 1, -1), substring(tb, 1, -1)]]
	within1(pair[0], pair[1])
}

# common_prefix is the length of the longest common prefix of a and b.
common_prefix(a, b) := 0 if {
	min([count(a), count(b)]) == 0
} else := n if {
	ca := split(a, "")
	cb := split(b, "")
	m := min([count(ca), count(cb)])
	diffs := [i | some i in numbers.range(0, m - 1); ca[i] != cb[i]]
	n := min(array.concat(diffs, [m]))
}

# list is x when it is an array and [] otherwise (Go encodes nil slices as
# null, and policies should not care).
list(x) := x if is_array(x)

else := []

# dir is the directory part of a slash-separated path ("" at the root).
dir(p) := regex.replace(p, `/?[^/]*$`, "")

# basename is the last element of a slash-separated path.
basename(p) := regex.replace(p, `^.*/`, "")

# paths are the repository paths a component was seen at: its name when it
# is a path, and the locations of its evidence occurrences.
paths(c) := {p |
	some o in list(object.get(c, ["evidence", "occurrences"], []))
	p := o.location
} | {c.name | contains(c.name, "/"); contains(c.name, ".")}

finding(policy, severity, component, message, remediation) := {
	"policy": policy,
	"severity": severity,
	"component": component,
	"message": message,
	"remediation": remediation,
	"exception_eligible": false,
}
