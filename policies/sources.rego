# Unapproved sources: models and datasets from organisations or hosts not on
# the allowlist, and hosted AI providers nobody approved.
package mlbom.sources

import data.mlbom.lib

conf := lib.cfg.sources

allowed_orgs := {lower(o) | some o in conf.allowed_orgs}

allowed_providers := {lower(p) | some p in conf.allowed_providers}

deny contains f if {
	some k in conf.kinds
	k != "weights"
	some c in lib.of_kind(k)
	o := c.org
	o != ""

	# Local files and raw URLs have no organisation to vouch for them; the
	# host rule covers URLs.
	not object.get(c.props, "mlbom:provider", "") in {"local", "url"}
	o != ""
	not lower(o) in allowed_orgs
	f := lib.finding(
		"sources.unapproved-org", "high", c.ref,
		sprintf("%s %s comes from organisation %q, which is not on the allowlist", [k, c.display, o]),
		"Use the model from an approved organisation, or have the organisation reviewed and added to mlbom.config.sources.allowed_orgs.",
	)
}

# Hosts are judged once each, not once per component.
bad_hosts := {h |
	some k in conf.kinds
	some c in lib.of_kind(k)
	some h in c.hosts
	not lib.host_allowed(h, conf.allowed_hosts)
}

deny contains f if {
	count(bad_hosts) > 0
	some k in conf.kinds
	some c in lib.of_kind(k)
	hosts := {h | some h in c.hosts; h in bad_hosts}
	count(hosts) > 0
	f := lib.finding(
		"sources.unapproved-host", "high", c.ref,
		sprintf("%s %s is downloaded from unapproved host(s) %s", [k, c.display, concat(", ", sort(hosts))]),
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
	some k in ["model", "service", "agent"]
	some c in lib.of_kind(k)
	p := c.props["mlbom:provider"]
	is_string(p)
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
