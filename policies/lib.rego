# Shared helpers for the mlbom policies.
#
# Policies do not walk input.bom directly: they read an index of it, one
# flat "view" per component with its properties as an object, its license
# ids, organisation, hashes and paths already extracted. The engine builds
# the index in Go and passes it as input.bom_index, because doing this work
# in Rego costs about a second on a 5,000-component BOM; when it is absent
# (opa eval, opa test) rego_index below computes the same document. A Go
# test keeps the two equal.
package mlbom.lib

cfg := data.mlbom.config

index := input.bom_index if {
	is_object(input.bom_index)
} else := rego_index

# components are the component views; of_kind(k) those of one asset kind.
components := index.components

of_kind(k) := object.get(index.by_kind, k, [])

# with_prop(name, value): components whose property name has the string
# value (for the properties in mlbom.config.index.props).
with_prop(name, value) := object.get(index.by_prop, [name, value], [])

# by_org(kind): {organisation: [components]} for one kind ("" = none).
by_org(kind) := object.get(index.by_org, kind, {})

# weight files: kind weights, or any component carrying a weights format.
weight_files := index.weight_files

# display_ref is the display name of a bom-ref, or the ref itself.
display_ref(r) := components[index.refs[r]].display if {
	index.refs[r]
} else := r

services := list(object.get(input, ["bom", "services"], []))

# ---- the index, computed in Rego ---------------------------------------------

# Top-level components and one level of nested ones (a model's files).
raw_components := array.concat(top_components, [n |
	some c in top_components
	some n in list(object.get(c, "components", []))
	is_object(n)
])

top_components := [c |
	some c in list(object.get(input, ["bom", "components"], []))
	is_object(c)
]

rego_index := {
	"components": views,
	"by_kind": {k: [v | some v in views; v.kind == k] | some v0 in views; k := v0.kind},
	"refs": refs,
	"weight_files": weight_views,
	"by_prop": {name: {val: [v | some v in views; v.props[name] == val] |
		some v0 in views
		val := v0.props[name]
		is_string(val)
	} |
		some name in cfg.index.props
	},
	"by_org": {k: {o: [v | some v in views; v.kind == k; v.org == o] |
		some v0 in views
		v0.kind == k
		o := v0.org
	} |
		some v1 in views
		k := v1.kind
	},
	"by_license": {l: [v | some v in views; l in v.licenses] | some v0 in views; some l in v0.licenses},
	"unlicensed": {k: [v | some v in views; v.kind == k; count(v.licenses) == 0] |
		some v0 in views
		count(v0.licenses) == 0
		k := v0.kind
	},
	"by_host": {h: [v | some v in views; h in v.hosts] | some v0 in views; some h in v0.hosts},
	"weight_dirs": {d: [v | some v in weight_views; some p in v.paths; dir(p) == d] | some v0 in weight_views; some p0 in v0.paths; d := dir(p0)},
	"known_paths": {trim_prefix(p, "/") | some v in weight_views; some p in array.concat(v.paths, [v.name])},
	"known_sha256": {h |
		some i, v in views
		is_weight_view(v)
		some h in sha256s(raw_components[i])
	},
}

weight_views := [v |
	some v in views
	is_weight_view(v)
]

is_weight_view(v) if v.kind == "weights"

is_weight_view(v) if {
	v.kind != "weights"
	v.props["mlbom:weights.format"]
}

views := [view(c) | some c in raw_components]

# refs maps bom-refs to the first component carrying them (a malformed BOM
# may repeat one).
refs := {r: min([j | some j, v in views; v.ref == r]) | some v0 in views; r := v0.ref}

view(c) := {
	"ref": ref(c),
	"kind": kind(c, props(c)),
	"name": str(object.get(c, "name", "")),
	"org": org(c),
	"display": display(c),
	"props": props(c),
	"licenses": sort(licenses(c)),
	"disjunction": is_disjunction(c),
	"paths": sort(paths(c)),
	"hosts": sort({h | some u in source_urls(c); h := host(u)}),
}

str(x) := x if is_string(x)

else := ""

# props: properties as an object; the first of repeated names wins.
props(c) := {n: v |
	ps := list(object.get(c, "properties", []))
	some p in ps
	n := p.name
	is_string(n)
	v := [q.value | some q in ps; q.name == n][0]
}

# kind is the asset kind (mlbom:asset.kind), or derived from the CycloneDX
# type when the property is missing.
kind(c, ps) := ps["mlbom:asset.kind"] if {
	is_string(ps["mlbom:asset.kind"])
} else := "model" if {
	c.type == "machine-learning-model"
} else := "dataset" if {
	c.type == "data"
} else := str(object.get(c, "type", ""))

ref(c) := r if {
	r := c["bom-ref"]
	is_string(r)
} else := str(object.get(c, "name", ""))

# display is a human name for messages: group/name.
display(c) := sprintf("%s/%s", [g, n]) if {
	g := str(object.get(c, "group", ""))
	n := str(object.get(c, "name", ""))
	g != ""
	not contains(n, "/")
} else := str(object.get(c, "name", ""))

# org is the organisation of a model or dataset: the CycloneDX group, or the
# part before the slash of a hub id; "" when there is none.
org(c) := c.group if {
	str(object.get(c, "group", "")) != ""
} else := parts[0] if {
	parts := split(str(object.get(c, "name", "")), "/")
	count(parts) == 2
	parts[0] != ""
} else := ""

# fullname of a component view: "org/name" for hub ids, the bare name
# otherwise.
fullname(v) := v.name if {
	contains(v.name, "/")
} else := concat("/", [v.org, v.name]) if {
	v.org != ""
} else := v.name

# licenses: every license identifier of a component, from SPDX ids, license
# names (LicenseRefs or free text) and the terms of expressions.
licenses(c) := {l |
	some entry in list(object.get(c, "licenses", []))
	some l in entry_ids(entry)
}

entry_ids(entry) := {id} if {
	id := entry.license.id
	is_string(id)
} else := {n} if {
	n := entry.license.name
	is_string(n)
} else := expression_ids(entry.expression) if {
	is_string(entry.expression)
} else := set()

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

# is_disjunction: an expression offering a choice (A OR B), where any
# alternative may be picked.
is_disjunction(c) if {
	some entry in list(object.get(c, "licenses", []))
	expr := entry.expression
	is_string(expr)
	regex.match(`(?i)\sOR\s`, expr)
	not regex.match(`(?i)\sAND\s`, expr)
} else := false

# The SHA-256 digests of a component, lower case.
sha256s(c) := {lower(h.content) |
	some h in list(object.get(c, "hashes", []))
	upper(h.alg) == "SHA-256"
	is_string(h.content)
}

# URLs a component was (or will be) fetched from.
source_urls(c) := {r.url |
	some r in list(object.get(c, "externalReferences", []))
	r.type in {"distribution", "vcs", "distribution-intake"}
	is_string(r.url)
}

# paths are the repository paths a component was seen at: the locations of
# its evidence occurrences, and its name when that is a file path.
paths(c) := {p |
	some o in list(object.get(c, ["evidence", "occurrences"], []))
	p := o.location
	is_string(p)
} | {n |
	n := str(object.get(c, "name", ""))
	contains(n, "/")
	contains(n, ".")
}

# ---- helpers on raw values ---------------------------------------------------

# prop returns the value of property name on x (a raw component or service);
# undefined when absent.
prop(x, name) := v if {
	some p in list(object.get(x, "properties", []))
	p.name == name
	v := p.value
}

# list is x when it is an array and [] otherwise (Go encodes nil slices as
# null, and policies should not care).
list(x) := x if is_array(x)

else := []

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

# dir is the directory part of a slash-separated path ("" at the root).
dir(p) := regex.replace(p, `/?[^/]*$`, "")

# basename is the last element of a slash-separated path.
basename(p) := regex.replace(p, `^.*/`, "")

# norm_field: "Training Data", "training_data" and "trainingData" are the
# same model-card field.
norm_field(s) := lower(regex.replace(s, `[^A-Za-z0-9]`, ""))

finding(policy, severity, component, message, remediation) := {
	"policy": policy,
	"severity": severity,
	"component": component,
	"message": message,
	"remediation": remediation,
	"exception_eligible": false,
}

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
