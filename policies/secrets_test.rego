package mlbom.secrets_test

import data.mlbom.secrets

tool(name, props) := {
	"bom-ref": sprintf("tool:%s", [name]), "type": "application", "name": name,
	"properties": array.concat([{"name": "mlbom:asset.kind", "value": "tool"}], props),
}

test_secret_in_mcp_server_warns if {
	doc := {"bom": {"components": [
		tool("github", [{"name": "mlbom:secrets", "value": "GitHub token,secret command-line flag value"}]),
		tool("files", []),
	]}}
	fs := {[f.policy, f.component, f.severity] | some f in secrets.warn} with input as doc
	fs == {["secrets.committed", "tool:github", "high"]}
}

test_secret_in_service_base_url_warns if {
	doc := {"bom": {"services": [{
		"bom-ref": "service:openai/gpt-4o", "name": "gpt-4o",
		"properties": [{"name": "mlbom:provider", "value": "openai"}, {"name": "mlbom:secrets", "value": "credentials in a URL"}],
	}]}}
	fs := {[f.policy, f.component] | some f in secrets.warn} with input as doc
	fs == {["secrets.committed", "service:openai/gpt-4o"]}
	some f in secrets.warn with input as doc
	contains(f.message, "credentials in a URL")
}

test_no_secret_no_finding if {
	doc := {"bom": {"components": [tool("files", [{"name": "mlbom:tool.args", "value": "--token ***"}])]}}
	count(secrets.warn) == 0 with input as doc
}
