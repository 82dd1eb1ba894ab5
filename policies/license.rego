# License allow and deny lists over SPDX ids, expressions and LicenseRefs.
# Every finding here is exception-eligible: a person may approve it for a
# component, which the engine records and honours until the approval expires.
package mlbom.license

import data.mlbom.lib

conf := lib.cfg.license

allow_set := {lower(a) | some a in conf.allow}

allowed(l) if lower(l) in allow_set

# category is the first configured category whose patterns match l, so the
# order in data.json decides (non-commercial before use-restricted, ...).
category(l) := conf.categories[i] if {
	i := min({j | some j, cat in conf.categories; lib.matches(cat.patterns, l)})
}

# A disjunctive expression (A OR B) is fine when any alternative is allowed.
choice_allowed(c) if {
	lib.is_disjunction(c)
	some l in lib.licenses(c)
	allowed(l)
}

checked := [c |
	some k in conf.kinds
	some c in lib.of_kind(k)
]

violations contains v if {
	some c in checked
	not choice_allowed(c)
	some l in lib.licenses(c)
	not allowed(l)
	cat := category(l)
	v := finding(c, l, cat.name, cat.effect, cat.severity, cat.message, cat.remediation)
}

violations contains v if {
	some c in checked
	not choice_allowed(c)
	some l in lib.licenses(c)
	not allowed(l)
	not category(l)
	v := finding(
		c, l, "unlisted", conf.unlisted.effect, conf.unlisted.severity,
		"license is on neither the allow list nor a deny list",
		"Add the license to mlbom.config.license.allow in data.json once legal has reviewed it, or approve an exception.",
	)
}

# A model or dataset with no license at all is an unknown license.
violations contains v if {
	some k in conf.require_license_kinds
	some c in lib.of_kind(k)
	count(lib.licenses(c)) == 0
	some cat in conf.categories
	cat.name == "unknown"
	v := finding(c, "NOASSERTION", cat.name, cat.effect, cat.severity, "no license declared", cat.remediation)
}

finding(c, l, name, effect, severity, msg, remediation) := {
	"policy": sprintf("license.%s", [name]),
	"effect": effect,
	"severity": severity,
	"component": lib.ref(c),
	"license": l,
	"message": sprintf("%s (%s): %s", [lib.display(c), l, msg]),
	"remediation": remediation,
	"exception_eligible": true,
}

deny contains object.remove(v, ["effect"]) if {
	some v in violations
	v.effect == "deny"
}

warn contains object.remove(v, ["effect"]) if {
	some v in violations
	v.effect == "warn"
}
