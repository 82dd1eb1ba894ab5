package python

import (
	"testing"

	"github.com/mlbom/autopilot/internal/discover/detect/detecttest"
)

func TestDeclaredLicenses(t *testing.T) {
	detecttest.Check(t, Packages{}, []detecttest.Case{
		{Name: "pyproject license table and string", Files: map[string]string{
			"a/pyproject.toml": "[project]\nname = \"a\"\nlicense = { text = \"MIT\" }\n",
			"b/pyproject.toml": "[project]\nname = \"b\"\nlicense = \"Apache-2.0\"\n",
			"c/pyproject.toml": "[project]\nname = \"c\"\nlicense = { file = \"LICENSE\" }\n"},
			Want: []string{
				"license Apache-2.0 b/pyproject.toml:3 license.pyproject",
				"license MIT a/pyproject.toml:3 license.pyproject",
			}},
	})
}
