package discover

import (
	"strings"

	"github.com/mlbom/autopilot/internal/discover/cards"
	"github.com/mlbom/autopilot/internal/discover/config"
	"github.com/mlbom/autopilot/internal/discover/csharp"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/golang"
	"github.com/mlbom/autopilot/internal/discover/javascript"
	"github.com/mlbom/autopilot/internal/discover/licenses"
	"github.com/mlbom/autopilot/internal/discover/python"
	"github.com/mlbom/autopilot/internal/discover/ruby"
	"github.com/mlbom/autopilot/internal/discover/rust"
	"github.com/mlbom/autopilot/internal/discover/shell"
	"github.com/mlbom/autopilot/internal/discover/templates"
	"github.com/mlbom/autopilot/internal/discover/weights"
)

// detectors is the registry: every detector of a run, in the order they
// see a file. To add one, write it in the package of its language or format
// (a new package when there is none), list it here, and make sure
// readAsText reads the files it wants.
func detectors(hash bool) []detect.Detector {
	return []detect.Detector{
		python.Source{},
		python.Notebook{Shell: shell.Line},
		javascript.Source{},
		golang.Source{},
		rust.Source{},
		csharp.Source{},
		config.Files{},
		shell.Scripts{},
		cards.Cards{},
		python.Packages{},
		javascript.Packages{},
		golang.Module{},
		rust.Crates{},
		ruby.Gems{},
		ruby.Source{},
		licenses.Texts{},
		templates.Prompts{},
		config.DVC{},
		weights.Files{Hash: hash},
	}
}

// fixtureDetectors still run on test fixtures and test sources.
var fixtureDetectors = map[string]bool{licenses.Name: true}

// readAsText says whether a file is read whole as text for the detectors,
// and whether the notebook size cap applies; other files go to the binary
// detectors unread.
func readAsText(base, ext string) (text, notebook bool) {
	switch ext {
	case ".ipynb":
		return true, true
	case ".py", ".pyi", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".go", ".rs",
		".yaml", ".yml", ".toml", ".json", ".jsonc", ".sh", ".bash", ".zsh",
		".dvc", ".prompt", ".prompty", ".jinja", ".jinja2", ".j2", ".md", ".markdown", ".cfg",
		".dockerfile", ".modelfile", ".gemspec", ".rb", ".cs":
		return true, false
	case ".txt":
		// Requirements and license texts; other text files say nothing.
		return python.IsRequirementsName(base) || licenses.IsLicenseName(base), false
	case ".mod":
		return base == "go.mod", false
	case ".in":
		return true, false
	}
	switch {
	case base == "dockerfile" || strings.HasPrefix(base, "dockerfile.") || base == "containerfile",
		base == "modelfile", base == "makefile", base == "gemfile",
		licenses.IsLicenseName(base):
		return true, false
	}
	return false, false
}

// readmeOrLicense reports the only Markdown files worth reading are cards and
// license texts.
func readmeOrLicense(base string) bool {
	return cards.IsReadmeName(base) || licenses.IsLicenseName(base)
}
