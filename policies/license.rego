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
]

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

# A model or dataset with no license at all has an unknown license.
unknown := [cat | some cat in conf.categories; cat.name == "unknown"][0]

unlicensed := [c |
	some k in conf.require_license_kinds
	some c in object.get(lib.index.unlicensed, k, [])
]

# [component ref, display name, license, category, message].
rated := array.concat(
	[[c.ref, c.display, l, cat, cat.message] |
		some [c, l] in judged
		cat := category_by_license[l]
	],
	[[c.ref, c.display, "NOASSERTION", unknown, "no license declared"] | some c in unlicensed],
)

deny contains finding(ref, display, l, cat, msg) if {
	some [ref, display, l, cat, msg] in rated
	cat.effect == "deny"
}

warn contains finding(ref, display, l, cat, msg) if {
	some [ref, display, l, cat, msg] in rated
	cat.effect == "warn"
}

finding(ref, display, l, cat, msg) := {
	"policy": concat(".", ["license", cat.name]),
	"severity": cat.severity,
	"component": ref,
	"license": l,
	"message": sprintf("%s (%s): %s", [display, l, msg]),
	"remediation": cat.remediation,
	"exception_eligible": true,
}
