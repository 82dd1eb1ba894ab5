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

hub_components := [c |
	some kind in ["model", "dataset"]
	some c in lib.of_kind(kind)
]

# Distinct candidate names first, so the distance check runs once per name,
# not once per component.
candidate_orgs := {lower(o) |
	some c in hub_components
	o := lib.org(c)
	not lower(o) in trusted_orgs
}

lookalike_orgs[o] := p if {
	some o in candidate_orgs
	some p in protected_orgs
	abs(count(o) - count(p)) <= k
	lib.within(o, p, k)
}

deny contains f if {
	some c in hub_components
	o := lower(lib.org(c))
	p := lookalike_orgs[o]
	f := lib.finding(
		"lookalike.org", "high", lib.ref(c),
		sprintf("%s comes from organisation %q, a look-alike of the approved %q", [lib.display(c), lib.org(c), p]),
		"Check the organisation on the hub; if it is not the real publisher, replace the reference with the approved organisation's model.",
	)
}

# Models without a trusted organisation (root-level names or unknown orgs)
# compared with protected model names.
candidate_models := {lower(lib.fullname(c)) |
	some c in lib.of_kind("model")
	not trusted(c)
	not lower(lib.fullname(c)) in protected_models
}

trusted(c) if lower(lib.org(c)) in trusted_orgs

# A helper, not an inline "not": OPA hoists calls out of a negation, so an
# undefined org would make the negation undefined instead of true.
org_lookalike(c) if lookalike_orgs[lower(lib.org(c))]

# Hub ids are compared with hub ids and bare names with bare names: an id
# with an organisation cannot be within two edits of one without.
lookalike_models[m] := p if {
	some m in candidate_models
	some p in protected_models
	contains(m, "/") == contains(p, "/")
	abs(count(m) - count(p)) <= k
	lib.within(m, p, k)
}

deny contains f if {
	some c in lib.of_kind("model")
	p := lookalike_models[lower(lib.fullname(c))]
	not org_lookalike(c) # one finding per component is enough
	f := lib.finding(
		"lookalike.model", "high", lib.ref(c),
		sprintf("model %s is a look-alike of the approved %q", [lib.display(c), p]),
		"Verify the model id letter by letter; use the approved model unless this one was reviewed.",
	)
}
