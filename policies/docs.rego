# Documentation gaps: model cards too thin to judge a model by, and for
# high-risk uses, cards missing what such a use needs.
package mlbom.docs

import data.mlbom.lib

conf := lib.cfg.docs

required := {lib.norm_field(f) | some f in conf.required_fields}

project_high_risk if conf.high_risk == true

project_high_risk if input.project in conf.high_risk_projects

kinds := {k | some k in conf.kinds}

documented := [c |
	some kind in conf.kinds
	some c in lib.of_kind(kind)
]

# Models used for a high-risk purpose: all of them in a high-risk project,
# otherwise those marked mlbom:use.risk=high.
high_risk := documented if {
	project_high_risk
} else := [c |
	some risk, carriers in object.get(lib.index.by_prop, "mlbom:use.risk", {})
	lower(risk) == "high"
	some c in carriers
	c.kind in kinds
]

missing(c) := {lib.norm_field(trim_space(m)) |
	some m in split(object.get(c.props, "mlbom:modelcard.missing", ""), ",")
	trim_space(m) != ""
}

# [component, the required fields its card lacks].
gaps := [[c, lacking] |
	some c in high_risk
	lacking := missing(c) & required
	count(lacking) > 0
]

gap_refs := {c.ref | some [c, _] in gaps}

deny contains f if {
	some [c, lacking] in gaps
	f := lib.finding(
		"docs.high-risk-gaps", "high", c.ref,
		sprintf("%s is used for a high-risk purpose but its model card lacks %s", [c.display, concat(", ", sort(lacking))]),
		"Complete the model card (intended use, limitations, training data, license) before using the model for a high-risk purpose.",
	)
}

# The deny above supersedes this warning for the same model.
warn contains f if {
	# each distinct score once (component index), then its carriers
	some value, carriers in object.get(lib.index.by_prop, "mlbom:modelcard.completeness", {})
	score := to_number(value)
	score < conf.min_completeness
	some c in carriers
	c.kind in kinds
	not c.ref in gap_refs
	f := lib.finding(
		"docs.incomplete", "low", c.ref,
		sprintf("%s: model card completeness %.2f is below %.2f", [c.display, score, conf.min_completeness]),
		"Ask the publisher for a fuller model card, or document intended use, limitations and training data in the repository.",
	)
}
