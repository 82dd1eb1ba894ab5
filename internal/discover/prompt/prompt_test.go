package prompt

import "testing"

func TestPromptName(t *testing.T) {
	cases := map[string]NameStrength{
		"SYSTEM_PROMPT": StrongName, "systemPrompt": StrongName, "QA_PROMPT_TEMPLATE": StrongName,
		"promptTemplate": StrongName, "PROMPT_SUMMARIZE": StrongName, "ROUTER_INSTRUCTIONS": StrongName,
		"AgentPrompt": StrongName, "SystemMessage": StrongName, "SAFETY_POLICY_PROMPT": StrongName,
		"QA_TEMPLATE": WeakName, "CONTENT_POLICY": WeakName, "usageTemplate": WeakName,
		"Policy": NoName, "PolicyNotSupportedErr": NoName, "coreValidationPolicyName": NoName,
		"exitPromptMessage": NoName, "referrerPolicy": NoName, "templateFile": NoName,
		"PROMPT_PATH": NoName, "promptMessage": NoName, "INSTALL_INSTRUCTIONS": NoName,
		"CERT_GROUP_POLICY_SYSTEM_STORE_REGPATH": NoName, "TemplateGetQueueQuery": NoName,
	}
	for name, want := range cases {
		if got := Name(name); got != want {
			t.Errorf("Name(%q) = %d, want %d (words %q)", name, got, want, identWords(name))
		}
	}
}
