package shell

import (
	"testing"

	"github.com/mlbom/autopilot/internal/discover/detect/detecttest"
)

// TestScripts runs Scripts alone over the cases of the discovery table that
// hold files it wants.
func TestScripts(t *testing.T) {
	detecttest.Check(t, Scripts{}, []detecttest.Case{
		{Name: "ollama", Files: map[string]string{"a.py": "import ollama\nollama.chat(model='llama3.1:8b', messages=[])\n", "Modelfile": "FROM mistral:7b\nPARAMETER temperature 0.2\n", "run.sh": "#!/bin/sh\nollama pull qwen2:0.5b\n"},
			Want: []string{
				"model mistral:7b Modelfile:1 modelfile.from",
				"model qwen2:0.5b run.sh:2 shell.ollama",
			}},
		{Name: "huggingface-cli in a Dockerfile", Files: map[string]string{"Dockerfile": "FROM python:3.12\nRUN huggingface-cli download acme/m --revision r1 && \\\n    echo done\n# RUN huggingface-cli download acme/commented\n"},
			Want: []string{
				"model acme/m Dockerfile:2 dockerfile.hf_download",
			}},
		{Name: "dataset URLs need data context", Files: map[string]string{"get.sh": "#!/bin/sh\n" +
			"curl -L -o regal.zip \"https://github.com/open-policy-agent/regal/archive/refs/$ref.zip\"\n" +
			"curl -LO https://github.com/protocolbuffers/protobuf/releases/download/v25.1/protoc-25.1-linux-x86_64.zip\n" +
			"curl -LO https://example.com/downloads/tool-1.2.tar.gz\n" +
			"wget https://zenodo.org/records/123/files/corpus.zip\n" +
			"wget https://example.com/datasets/reviews.tar.gz\n" +
			"wget https://example.com/shards/train-00001.tfrecord\n" +
			"curl -O https://example.com/exports/prices.csv\n" +
			"wget https://github.com/acme/bench/releases/download/v1/eval_data.zip\n"},
			Want: []string{
				"dataset https://example.com/datasets/reviews.tar.gz get.sh:6 shell.url",
				"dataset https://example.com/exports/prices.csv get.sh:8 shell.url",
				"dataset https://example.com/shards/train-00001.tfrecord get.sh:7 shell.url",
				"dataset https://github.com/acme/bench/releases/download/v1/eval_data.zip get.sh:9 shell.url",
				"dataset https://zenodo.org/records/123/files/corpus.zip get.sh:5 shell.url",
			}},
	})
}
