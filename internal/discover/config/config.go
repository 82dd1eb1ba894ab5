// Package config reads configuration files (JSON, YAML, TOML) for the
// assets they name, with the object-tree patterns every detector shares,
// and DVC files for the data they track.
package config

import (
	"context"
	"path"
	"strings"

	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/objects"
	"github.com/mlbom/autopilot/internal/discover/tree"
)

// Files runs the tree patterns over JSON, YAML and TOML files that no more
// specific detector owns.
type Files struct{}

func (Files) Name() string { return "config" }

func (Files) Wants(f *detect.File) bool {
	switch f.Ext {
	case ".json", ".jsonc", ".yaml", ".yml", ".toml":
	default:
		return false
	}
	switch f.Base {
	case "config.json", "tokenizer_config.json", "generation_config.json", "adapter_config.json", "tokenizer.json",
		"vocab.json", "special_tokens_map.json", "package-lock.json", "composer.lock", "pnpm-lock.yaml",
		"chat_template.json", "preprocessor_config.json", "tsconfig.json", "cargo.lock", "poetry.lock":
		return false
	}
	return !strings.HasSuffix(f.Base, ".lock")
}

func (Files) Detect(ctx context.Context, f *detect.File, out *detect.Report) {
	stop := detect.NewInterrupt(ctx)
	switch f.Ext {
	case ".json", ".jsonc":
		data := f.Data
		if f.Ext == ".jsonc" || path.Base(f.Dir) == ".vscode" {
			data = tree.StripJSONComments(data)
		}
		root, err := tree.ParseJSON(data)
		if err != nil {
			return // not every .json is JSON (templates, JSON lines)
		}
		detectConfigTree(f, out, root, true, stop)
	case ".yaml", ".yml":
		docs, err := tree.ParseYAML(f.Data)
		if err != nil && len(docs) == 0 {
			out.Warn("%s: YAML: %s", f.Path, tree.ShortErr(err))
			return
		}
		for _, d := range docs {
			detectConfigTree(f, out, d, false, stop)
		}
	case ".toml":
		detectConfigTree(f, out, tree.ParseTOML(f.Data), false, stop)
	}
}

// detectConfigTree runs the tree patterns over a parsed JSON/YAML/TOML file.
func detectConfigTree(f *detect.File, out *detect.Report, root *tree.Node, skipListModels bool, stop *detect.Interrupt) {
	tc := &objects.Walker{File: f, Report: out, Det: "config", SkipListModels: skipListModels, ConfigKeys: !isDataPath(f.Path),
		NoModelTables: f.Size > maxConfigTable, Stop: stop}
	tc.Walk(root)
}

// maxConfigTable is the size above which a file's model tables are read as
// a catalogue, not configuration: a settings file a person edits is a few
// kilobytes (a multi-provider client's template with 130 models is 18 KiB);
// an embedded registry of every provider's models is megabytes.
const maxConfigTable = 256 << 10

// isDataPath reports test fixtures and data directories: names in them are
// data, not configuration.
func isDataPath(p string) bool {
	for _, seg := range strings.Split(strings.ToLower(path.Dir(p)), "/") {
		switch seg {
		case "test", "tests", "testdata", "fixtures", "__fixtures__", "__tests__", "spec", "mocks", "data", "examples_data", "snapshots", "__snapshots__":
			return true
		}
	}
	return false
}
