package cards

import (
	"strings"
	"testing"

	"github.com/mlbom/autopilot/internal/discover/detect/detecttest"
)

// TestCards runs Cards alone over the cases of the discovery table that
// hold files it wants.
func TestCards(t *testing.T) {
	detecttest.Check(t, Cards{}, []detecttest.Case{
		{Name: "os.path.join to a local model dir", Files: map[string]string{"a.py": "import os\nBASE = 'models'\nm = AutoModel.from_pretrained(os.path.join(BASE, 'local-bert'))\n", "models/local-bert/config.json": `{"foo": 1}`},
			Want: nil},
		{Name: "Path join", Files: map[string]string{"a.py": "from pathlib import Path\nROOT = Path('models')\nm = AutoModel.from_pretrained(ROOT / 'local-bert')\n", "models/local-bert/config.json": `{}`},
			Want: nil},
		{Name: "dataset card and data files", Files: map[string]string{"ds/README.md": "---\nlicense: cc-by-4.0\ntask_categories: [text-classification]\n---\n# Reviews\n", "ds/data/train.parquet": strings.Repeat("PAR1", 300)},
			Want: []string{
				"dataset ds ds/README.md:0 card.dataset",
			}},
		{Name: "chat template in tokenizer config", Files: map[string]string{"tokenizer_config.json": "{\n  \"chat_template\": \"{% for m in messages %}{{ m.content }}{% endfor %}\"\n}\n"},
			Want: []string{
				"prompt tokenizer_config.json tokenizer_config.json:2 config.chat_template",
			}},
		{Name: "model card with base models and datasets", Files: map[string]string{"m/README.md": "---\nlicense: llama3\nbase_model:\n- meta-llama/Meta-Llama-3-8B\ndatasets: acme/sft\n---\n# m\nWe also compare with acme/prose-only.\n"},
			Want: []string{
				"dataset acme/sft m/README.md:5 card.datasets",
				"model  m/README.md:0 card.front_matter",
				"model meta-llama/Meta-Llama-3-8B m/README.md:4 card.base_model",
			}},
	})
}

func FuzzModelCard(f *testing.F) {
	f.Add([]byte("---\nlicense: mit\nbase_model: [a/b, c/d]\nmodel-index:\n- name: x\n  results:\n  - task: {type: t}\n    metrics: [{type: acc, value: 1}]\n---\n# Uses\nok\n"))
	f.Add([]byte("---\nlicense: [mit\n---\n"))
	f.Add([]byte("---\na: &a [*a]\n---\n"))
	f.Add([]byte("---\nlicense: {x: 1}\ntags: 3\n"))
	f.Add([]byte("no front matter"))
	f.Fuzz(func(t *testing.T, data []byte) {
		card, _, ok := Parse(data)
		if ok && card == nil {
			t.Fatal("ok without a card")
		}
	})
}
