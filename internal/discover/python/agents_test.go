package python

import (
	"testing"
	"testing/fstest"

	"github.com/mlbom/autopilot/internal/discover/detect/detecttest"
)

func TestAgentToolsSchemasAndInstructionFunctions(t *testing.T) {
	detecttest.Check(t, Source{}, []detecttest.Case{
		{Name: "functions given after the agent is built; handoffs", Files: map[string]string{"agents.py": "from swarm import Agent\n\ndef transfer_to_sales():\n    return sales\n\ndef transfer_back():\n    return triage\n\ntriage = Agent(name=\"Triage\", instructions=\"Route the user.\")\nsales = Agent(name=\"Sales\", instructions=\"Sell.\")\ntriage.functions = [transfer_to_sales]\nsales.functions.append(transfer_back)\n"},
			Want: []string{
				"agent Sales agents.py:10 python.agent",
				"agent Triage agents.py:9 python.agent",
				"prompt agents.py agents.py:10 python.system_prompt",
				"prompt agents.py agents.py:9 python.system_prompt",
				"tool transfer_back agents.py:12 python.agent_tools",
				"tool transfer_to_sales agents.py:11 python.agent_tools",
			}},
		{Name: "structured-output schemas", Files: map[string]string{"ev.py": "from pydantic import BaseModel\nclass Verdict(BaseModel):\n    ok: bool\nr = client.chat.completions.create(model=m, messages=ms, response_model=Verdict)\nrouter = llm.with_structured_output(Verdict)\n"},
			Want: []string{
				"tool Verdict ev.py:4 python.structured_output",
				"tool Verdict ev.py:5 python.structured_output",
			}},
		{Name: "instructions returned by a function", Files: map[string]string{"a.py": "def instructions(context_variables):\n    name = context_variables.get('name')\n    return f\"You are a helpful agent. Greet the user by name ({name}).\"\n\ndef describe(x):\n    return f\"You are looking at {x} and more words here\"\n\ndef test_context_reaches_prompts():\n    return \"You are checking that the context reaches prompts.\"\n"},
			Want: []string{
				"prompt instructions a.py:3 python.prompt_function",
			}},
		{Name: "trap: tool attributes holding other things", Files: map[string]string{"b.py": "class Box:\n    def __init__(self):\n        self.tools = [make()]\nbox.tools = [hammer]\nbox.tools.append(saw)\nresult = parse(x, response_format=Format)\n"},
			Want: nil},
	})
}

// A name assigned again (cell after cell of a notebook) is read as its last
// assignment before the call.
func TestReassignedPromptVariable(t *testing.T) {
	detecttest.Check(t, Source{}, []detecttest.Case{
		{Name: "system reassigned", Files: map[string]string{"a.py": "system = \"You are a grader assessing the relevance of a document.\"\np1 = ChatPromptTemplate.from_messages([(\"system\", system), (\"human\", \"{q}\")])\nsystem = \"You are an expert at converting user questions into queries.\"\np2 = ChatPromptTemplate.from_messages([(\"system\", system), (\"human\", \"{q}\")])\n"},
			Want: []string{
				"prompt system a.py:2 python.prompt_template",
				"prompt system a.py:4 python.prompt_template",
			}},
	})
	r := detecttest.Run(t, Source{}, map[string]*fstest.MapFile{"a.py": {Data: []byte("system = \"You are a grader assessing the relevance of a document.\"\np1 = ChatPromptTemplate.from_messages([(\"system\", system)])\nsystem = \"You are an expert at converting user questions into queries.\"\np2 = ChatPromptTemplate.from_messages([(\"system\", system)])\n")}}, false)
	if len(r.Sightings) != 2 || r.Sightings[0].Props["sha256"] == r.Sightings[1].Props["sha256"] {
		t.Errorf("want two prompts with different texts, got %+v", r.Sightings)
	}
}
