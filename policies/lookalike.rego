# Look-alike names (package confusion): an organisation or model name within
# a small edit distance of an approved one, but not equal to it, is how
# typosquatted hub repositories catch people.
package mlbom.lookalike

import data.mlbom.lib

conf := lib.cfg.lookalike

k := min([conf.max_distance, 2]) # the Rego distance check is unrolled up to 2

trusted_orgs := {lower(o) | some o in array.concat(conf.protected_orgs, lib.cfg.sources.allowed_orgs)}

protected_orgs := {lower(o) | some o in conf.protected_orgs; count(o) >= conf.min_length}

protected_models := {lower(m) | some m in conf.protected_models; count(m) >= conf.min_length}

# Distinct candidate names first, so the distance check runs once per name,
# not once per component; components are visited only for look-alikes.
hub_kinds := ["model", "dataset"]

candidate_orgs := {lower(o) |
	some k in hub_kinds
	some o, _ in lib.by_org(k)
	o != ""
	not lower(o) in trusted_orgs
}

lookalike_orgs[o] := p if {
	some o in candidate_orgs
	some p in protected_orgs
	abs(count(o) - count(p)) <= k
	lib.within(o, p, k)
}

deny contains f if {
	count(lookalike_orgs) > 0 # most BOMs: no component loop at all
	some k in hub_kinds
	some o, carriers in lib.by_org(k)
	p := lookalike_orgs[lower(o)]
	some c in carriers
	f := lib.finding(
		"lookalike.org", "high", c.ref,
		sprintf("%s comes from organisation %q, a look-alike of the approved %q", [c.display, c.org, p]),
		"Check the organisation on the hub; if it is not the real publisher, replace the reference with the approved organisation's model.",
	)
}

# Models without a trusted organisation (root-level names or unknown orgs)
# compared with protected model names.
# Models from organisations that are not trusted, or from none at all.
untrusted_models := [c |
	some o, carriers in lib.by_org("model")
	not lower(o) in trusted_orgs
	some c in carriers
]

candidate_models := {lower(lib.fullname(c)) |
	some c in untrusted_models
	not lower(lib.fullname(c)) in protected_models
}

# A helper, not an inline "not": OPA hoists calls out of a negation, so an
# undefined org would make the negation undefined instead of true.
org_lookalike(c) if lookalike_orgs[lower(c.org)]

# Hub ids are compared with hub ids and bare names with bare names: an id
# with an organisation cannot be within two edits of one without.
by_shape(names) := {
	"hub": {n | some n in names; contains(n, "/")},
	"bare": {n | some n in names; not contains(n, "/")},
}

protected_by_shape := by_shape(protected_models)

candidates_by_shape := by_shape(candidate_models)

lookalike_models[m] := p if {
	some shape in ["hub", "bare"]
	count(protected_by_shape[shape]) > 0
	some p in protected_by_shape[shape]
	some m in candidates_by_shape[shape]
	abs(count(m) - count(p)) <= k
	lib.within(m, p, k)
}

deny contains f if {
	count(lookalike_models) > 0
	some c in untrusted_models
	p := lookalike_models[lower(lib.fullname(c))]
	not org_lookalike(c) # one finding per component is enough
	f := lib.finding(
		"lookalike.model", "high", c.ref,
		sprintf("model %s is a look-alike of the approved %q", [c.display, p]),
		"Verify the model id letter by letter; use the approved model unless this one was reviewed.",
	)
}
