# Unapproved sources: models and datasets from organisations or hosts not on
# the allowlist, and hosted AI providers nobody approved.
package mlbom.sources

import data.mlbom.lib

conf := lib.cfg.sources

allowed_orgs := {lower(o) | some o in conf.allowed_orgs}

allowed_providers := {lower(p) | some p in conf.allowed_providers}

# Local files and raw URLs have no organisation to vouch for them; the host
# rule covers URLs.
hub_sourced(c) if not lower(lib.prop_or(c, "mlbom:provider", "")) in {"local", "url"}

deny contains f if {
	some k in conf.kinds
	k != "weights"
	some c in lib.of_kind(k)
	hub_sourced(c)
	o := lib.org(c)
	not lower(o) in allowed_orgs
	f := lib.finding(
		"sources.unapproved-org", "high", lib.ref(c),
		sprintf("%s %s comes from organisation %q, which is not on the allowlist", [k, lib.display(c), o]),
		"Use the model from an approved organisation, or have the organisation reviewed and added to mlbom.config.sources.allowed_orgs.",
	)
}

deny contains f if {
	some k in conf.kinds
	some c in lib.of_kind(k)
	hosts := {h |
		some u in lib.source_urls(c)
		h := lib.host(u)
		not lib.host_allowed(h, conf.allowed_hosts)
	}
	count(hosts) > 0
	f := lib.finding(
		"sources.unapproved-host", "high", lib.ref(c),
		sprintf("%s %s is downloaded from unapproved host(s) %s", [k, lib.display(c), concat(", ", sort(hosts))]),
		"Mirror the artifact to an approved host, or add the host to mlbom.config.sources.allowed_hosts after review.",
	)
}

# Hosted AI APIs: CycloneDX services, and model/agent components served by a
# provider (e.g. gpt-4o from openai).
provider_users contains [lib.ref(s), p, lib.display(s)] if {
	some s in lib.services
	p := lib.prop(s, "mlbom:provider")
}

provider_users contains [lib.ref(c), p, lib.display(c)] if {
	some k in ["model", "service", "agent"]
	some c in lib.of_kind(k)
	p := lib.prop(c, "mlbom:provider")
}

deny contains f if {
	some [ref, p, name] in provider_users
	p != ""
	not lower(p) in allowed_providers
	f := lib.finding(
		"sources.unapproved-provider", "high", ref,
		sprintf("%s uses hosted AI provider %q, which is not approved", [name, p]),
		"Route the call through an approved provider, or get the provider's data-processing terms reviewed and add it to mlbom.config.sources.allowed_providers.",
	)
}
