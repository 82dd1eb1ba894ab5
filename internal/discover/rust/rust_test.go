package rust

import (
	"testing"

	"github.com/mlbom/autopilot/internal/discover/detect/detecttest"
)

// TestSource runs Source alone over the cases of the discovery table that
// hold files it wants.
func TestSource(t *testing.T) {
	detecttest.Check(t, Source{}, []detecttest.Case{
		{Name: "javascript, go and rust", Files: map[string]string{
			"w.ts":    "import { pipeline } from '@huggingface/transformers';\nconst p = await pipeline('sentiment-analysis', 'Xenova/distilbert-base-uncased-finetuned-sst-2-english');\nconst r = await openai.chat.completions.create({ model: 'gpt-4o', messages });\n",
			"main.go": "package main\n\nfunc f() {\n\treq := openai.ChatCompletionRequest{\n\t\tModel: openai.GPT4o,\n\t}\n\t_ = anthropic.MessageNewParams{Model: anthropic.ModelClaude3_5HaikuLatest}\n}\n",
			"lib.rs":  "let req = CreateChatCompletionRequestArgs::default().model(\"gpt-4o-mini\").build()?;\n"},
			Want: []string{
				"service gpt-4o-mini lib.rs:1 rust.builder",
			}},
	})
}

func TestCrateLicense(t *testing.T) {
	detecttest.Check(t, Crates{}, []detecttest.Case{
		{Name: "Cargo.toml license", Files: map[string]string{"Cargo.toml": "[package]\nname = \"x\"\nlicense = \"MIT OR Apache-2.0\"\n"},
			Want: []string{"license MIT OR Apache-2.0 Cargo.toml:3 license.cargo"}},
	})
}

func TestCrates(t *testing.T) {
	detecttest.Check(t, Crates{}, []detecttest.Case{
		{Name: "Cargo.toml", Files: map[string]string{"Cargo.toml": "[package]\nname = \"x\"\n\n[dependencies]\nserde = \"1\"\ncandle-core = \"0.8.0\"\nasync-openai = { version = \"0.26\", features = [\"rustls\"] }\n\n[dev-dependencies]\ntokenizers = \"0.20\"\n"},
			Want: []string{
				"framework candle-core Cargo.toml:6 cargo.toml",
				"framework async-openai Cargo.toml:7 cargo.toml",
				"framework tokenizers Cargo.toml:10 cargo.toml",
			}},
	})
}
