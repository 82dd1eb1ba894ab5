# Secrets committed to the repository: a token, password or key written
# where an asset is declared (an MCP server's args, env or URL, a client's
# base_url). Discovery masks them everywhere mlbom writes and records their
# kinds in mlbom:secrets; the credential itself is still in the repository
# and must be rotated.
package mlbom.secrets

import data.mlbom.lib

holders contains [c.ref, c.display, kinds] if {
	some kinds, carriers in object.get(lib.index.by_prop, "mlbom:secrets", {})
	some c in carriers
}

holders contains [lib.ref(s), lib.display(s), kinds] if {
	some s in lib.services
	kinds := lib.prop(s, "mlbom:secrets")
	is_string(kinds)
}

warn contains f if {
	some [ref, name, kinds] in holders
	f := lib.finding(
		"secrets.committed", "high", ref,
		sprintf("%s is declared with secrets written into the repository (%s); the BOM masks them, the repository still holds them", [name, kinds]),
		"Rotate the credential, remove it from the file and its history, and pass it at run time from the environment or a secret store (e.g. \"${GITHUB_TOKEN}\").",
	)
}
