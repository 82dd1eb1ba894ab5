# Unapproved sources: models and datasets from organisations or hosts not on
# the allowlist, and hosted AI providers nobody approved.
#
# Each distinct organisation, host and provider is judged once (through the
# component index); only components carrying a bad one are visited.
package mlbom.sources

import data.mlbom.lib

conf := lib.cfg.sources

allowed_orgs := {lower(o) | some o in conf.allowed_orgs}

allowed_providers := {lower(p) | some p in conf.allowed_providers}

kinds := {k | some k in conf.kinds}

# Weight files are named by path; their organisation is their model's.
org_kinds := kinds - {"weights"}

deny contains f if {
	some k in org_kinds
	some o, carriers in lib.by_org(k)
	o != ""
	not lower(o) in allowed_orgs
	some c in carriers

	# Local files and raw URLs have no organisation to vouch for them; the
	# host rule covers URLs.
	not object.get(c.props, "mlbom:provider", "") in {"local", "url"}
	f := lib.finding(
		"sources.unapproved-org", "high", c.ref,
		sprintf("%s %s comes from organisation %q, which is not on the allowlist", [c.kind, c.display, o]),
		"Use the model from an approved organisation, or have the organisation reviewed and added to mlbom.config.sources.allowed_orgs.",
	)
}

bad_hosts := {h |
	some h, _ in lib.index.by_host
	not lib.host_allowed(h, conf.allowed_hosts)
}

deny contains f if {
	some h0 in bad_hosts
	some c in lib.index.by_host[h0]
	c.kind in kinds
	hosts := {h | some h in c.hosts; h in bad_hosts}
	f := lib.finding(
		"sources.unapproved-host", "high", c.ref,
		sprintf("%s %s is downloaded from unapproved host(s) %s", [c.kind, c.display, concat(", ", sort(hosts))]),
		"Mirror the artifact to an approved host, or add the host to mlbom.config.sources.allowed_hosts after review.",
	)
}

# Hosted AI APIs: CycloneDX services, and model/agent components served by a
# provider (e.g. gpt-4o from openai).
provider_users contains [lib.ref(s), p, lib.display(s)] if {
	some s in lib.services
	p := lib.prop(s, "mlbom:provider")
	is_string(p)
}

provider_users contains [c.ref, p, c.display] if {
	some p, carriers in object.get(lib.index.by_prop, "mlbom:provider", {})
	not lower(p) in allowed_providers
	some c in carriers
	c.kind in {"model", "service", "agent"}
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
