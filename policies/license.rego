# License allow and deny lists over SPDX ids, expressions and LicenseRefs.
# Every finding here is exception-eligible: a person may approve it for a
# component, which the engine records and honours until the approval expires.
package mlbom.license

import data.mlbom.lib

conf := lib.cfg.license

allow_set := {lower(a) | some a in conf.allow}

allowed(l) if lower(l) in allow_set

checked_kinds := {k | some k in conf.kinds}

# [component, license] pairs to judge: licenses not on the allow list,
# unless a disjunctive expression offers an allowed alternative.
# A disjunctive expression (A OR B) is fine when any alternative is allowed.
#
# Each distinct license is judged once; only components carrying one that is
# not allowed are visited.
judged := [[c, l] |
	some l, carriers in lib.index.by_license
	not lower(l) in allow_set
	some c in carriers
	c.kind in checked_kinds
	not alternative_allowed(c)
	not model_weights(c, carriers)
]

# model_weights: a weight file licensed by the card of a model that carries
# the same license is judged through that model, so one finding (and one
# exception) covers a model and its files. The card's location on the model
# has a line ("dir/README.md:2"), on its weights the file alone.
model_weights(c, carriers) if {
	c.kind == "weights"
	c.props["mlbom:license.source"] == "file"
	loc := c.props["mlbom:license.location"]
	some m in carriers
	m.kind == "model"
	m.props["mlbom:license.source"] == "file"
	same_file(m.props["mlbom:license.location"], loc)
}

same_file(at, file) if at == file

same_file(at, file) if startswith(at, concat("", [file, ":"]))

alternative_allowed(c) if {
	c.disjunction == true
	some x in c.licenses
	lower(x) in allow_set
}

# The category of each distinct judged license: the first configured
# category whose patterns match, so the order in data.json decides
# (non-commercial before use-restricted, ...). Computed once per license, not
# once per component: a BOM has thousands of components but few licenses.
category_index := {l: i |
	some l in {l | some [_, l] in judged}
	i := min({j | some j, cat in conf.categories; lib.matches(cat.patterns, l)})
}

unlisted := {
	"name": "unlisted",
	"effect": conf.unlisted.effect,
	"severity": conf.unlisted.severity,
	"message": "license is on neither the allow list nor a deny list",
	"remediation": "Add the license to mlbom.config.license.allow in data.json once legal has reviewed it, or approve an exception.",
}

category_by_license := {l: cat |
	some [_, l] in judged
	cat := category_of(l)
}

category_of(l) := conf.categories[category_index[l]] if {
	category_index[l]
} else := unlisted

# A model or dataset with no license at all has an unknown license, for a
# reason the BOM states (mlbom:license.reason): "not looked up", "Hub
# unreachable", "Hub lookup failed" or "nothing declared". A BOM without the
# property (written by another tool, or before mlbom recorded provenance)
# reads as "nothing declared".
unknown := [cat | some cat in conf.categories; cat.name == "unknown"][0]

unknown_reason(c) := r if {
	r := c.props["mlbom:license.reason"]
	is_string(r)
} else := "nothing declared"

# How an unlicensed component is judged: the "unknown" category with the
# entry of mlbom.config.license.unknown_reasons for its reason laid over it
# (effect, severity, exception_eligible, message, remediation); a reason
# data.json does not name is judged as the category says.
treatment(reason) := object.union(unknown, object.get(conf, ["unknown_reasons", reason], {}))

unlicensed := [[c, reason] |
	some k in conf.require_license_kinds
	some c in object.get(lib.index.unlicensed, k, [])
	reason := unknown_reason(c)
]

# [component ref, display name, license, category, message, reason].
rated := array.concat(
	[[c.ref, c.display, l, cat, cat.message, ""] |
		some [c, l] in judged
		cat := category_by_license[l]
	],
	[[c.ref, c.display, "NOASSERTION", t, t.reason_message, reason] |
		some [c, reason] in unlicensed
		t := object.union({"reason_message": sprintf("no license: %s", [reason])}, treatment(reason))
	],
)

deny contains finding(ref, display, l, cat, msg, reason) if {
	some [ref, display, l, cat, msg, reason] in rated
	cat.effect == "deny"
}

warn contains finding(ref, display, l, cat, msg, reason) if {
	some [ref, display, l, cat, msg, reason] in rated
	cat.effect == "warn"
}

finding(ref, display, l, cat, msg, reason) := {
	"policy": concat(".", ["license", cat.name]),
	"severity": cat.severity,
	"component": ref,
	"license": l,
	"license_reason": reason,
	"message": sprintf("%s (%s): %s", [display, l, msg]),
	"remediation": cat.remediation,
	"exception_eligible": object.get(cat, "exception_eligible", true),
}
