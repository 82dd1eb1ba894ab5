package inventory

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/license"
)

const rev = "3f2a9c1e5b7d40a8e6c2b19f0d4e7a6c8b1d2e3f"

func hfRef(name string, props map[string]string, lic string) asset.Sighting {
	return asset.Sighting{Kind: asset.KindModel, Name: name, Path: "app.py", Line: 3, Detector: "python.from_pretrained",
		Confidence: 0.9, Provider: "huggingface", License: lic, Props: props}
}

func TestLicenseProvenance(t *testing.T) {
	unknown := func(reason, revision string) []license.Provenance {
		return []license.Provenance{{Source: license.SourceUnknown, Reason: reason, Revision: revision}}
	}
	tests := []struct {
		name string
		f    asset.Sighting
		ref  string
		want []license.Provenance
	}{
		{
			name: "card in the repository, declaration line located",
			f: asset.Sighting{Kind: asset.KindModel, Name: "m", Path: "models/m/README.md", Detector: "card.front_matter", Confidence: 0.9,
				Provider: "local", License: "apache-2.0", Card: &asset.ModelCard{License: "apache-2.0"},
				Props: map[string]string{license.FindingLocation: "models/m/README.md:4"}},
			ref:  "pkg:generic/local/m",
			want: []license.Provenance{{Source: license.SourceFile, Location: "models/m/README.md:4"}},
		},
		{
			name: "manifest line of the finding itself",
			f: asset.Sighting{Kind: asset.KindDataset, Name: "data/reviews", Path: "data/reviews/dataset.yaml", Line: 7,
				Detector: "card.dataset", Confidence: 0.9, Provider: "local", License: "cc-by-4.0"},
			ref:  "dataset:local/data/reviews",
			want: []license.Provenance{{Source: license.SourceFile, Location: "data/reviews/dataset.yaml:7"}},
		},
		{
			name: "declared on the Hub",
			f:    hfRef("FacebookAI/roberta-base", map[string]string{license.FindingSource: license.SourceHub, license.FindingRevision: rev}, "mit"),
			ref:  "pkg:huggingface/FacebookAI/roberta-base",
			want: []license.Provenance{{Source: license.SourceHub, Revision: rev}},
		},
		{
			name: "Hub read, nothing declared",
			f:    hfRef("FacebookAI/roberta-base", map[string]string{license.FindingRevision: rev}, ""),
			ref:  "pkg:huggingface/FacebookAI/roberta-base",
			want: unknown(license.ReasonNothingDeclared, rev),
		},
		{
			name: "Hub look-ups off",
			f:    hfRef("FacebookAI/roberta-base", nil, ""),
			ref:  "pkg:huggingface/FacebookAI/roberta-base",
			want: unknown(license.ReasonNotLookedUp, ""),
		},
		{
			name: "Hub unreachable",
			f:    hfRef("FacebookAI/roberta-base", map[string]string{license.FindingReason: license.ReasonHubUnreachable}, ""),
			ref:  "pkg:huggingface/FacebookAI/roberta-base",
			want: unknown(license.ReasonHubUnreachable, ""),
		},
		{
			name: "Hub answered without the repository",
			f:    hfRef("acme/private", map[string]string{license.FindingReason: license.ReasonHubFailed}, ""),
			ref:  "pkg:huggingface/acme/private",
			want: unknown(license.ReasonHubFailed, ""),
		},
		{
			name: "weights inherit the repository license",
			f: asset.Sighting{Kind: asset.KindWeights, Name: "model.safetensors", Path: "model.safetensors", Detector: "weights.magic",
				Confidence: 1, Provider: "local", License: "MIT",
				Props: map[string]string{license.FindingSource: license.SourceRepository, license.FindingLocation: "LICENSE"}},
			ref:  "pkg:generic/model.safetensors",
			want: []license.Provenance{{Source: license.SourceRepository, Location: "LICENSE"}},
		},
		{
			name: "weights nobody licenses",
			f: asset.Sighting{Kind: asset.KindWeights, Name: "model.safetensors", Path: "model.safetensors", Detector: "weights.magic",
				Confidence: 1, Provider: "local"},
			ref:  "pkg:generic/model.safetensors",
			want: unknown(license.ReasonNothingDeclared, ""),
		},
		{
			name: "a package registry is not asked",
			f:    asset.Sighting{Kind: asset.KindFramework, Name: "torch", Version: "2.4.1", Path: "requirements.txt", Line: 2, Detector: "requirements", Confidence: 1, Provider: "pypi"},
			ref:  "pkg:pypi/torch@2.4.1",
			want: unknown(license.ReasonNotLookedUp, ""),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := norm(tt.f)
			c, ok := byRef(inv)[tt.ref]
			if !ok {
				var refs []string
				for _, c := range inv.Components {
					refs = append(refs, c.BOMRef)
				}
				t.Fatalf("no %s in %v", tt.ref, refs)
			}
			if !reflect.DeepEqual(c.LicenseFrom, tt.want) {
				t.Errorf("LicenseFrom = %+v, want %+v", c.LicenseFrom, tt.want)
			}
			for k := range c.Props {
				if strings.HasPrefix(k, "license.") {
					t.Errorf("provenance key %s leaked into the detector details: %v", k, c.Props)
				}
			}
		})
	}
}

// Two sources that agree are both named; an unreadable mention dropped in
// favour of a declared license is no source of the result.
func TestLicenseProvenanceMerged(t *testing.T) {
	inv := norm(
		hfRef("org/model", map[string]string{license.FindingSource: license.SourceHub, license.FindingRevision: rev}, "apache-2.0"),
		asset.Sighting{Kind: asset.KindModel, Name: "org/model", Path: "docs/model.md", Line: 9, Detector: "markdown", Confidence: 0.5,
			Provider: "huggingface", License: "see the website"},
		asset.Sighting{Kind: asset.KindModel, Name: "org/model", Path: "models/m/config.yaml", Line: 2, Detector: "yaml", Confidence: 0.8,
			Provider: "huggingface", License: "Apache-2.0"},
	)
	c := byRef(inv)["pkg:huggingface/org/model"]
	want := []license.Provenance{
		{Source: license.SourceFile, Location: "models/m/config.yaml:2"},
		{Source: license.SourceHub, Revision: rev},
	}
	if !reflect.DeepEqual(c.LicenseFrom, want) {
		t.Errorf("LicenseFrom = %+v, want %+v", c.LicenseFrom, want)
	}
}

func TestSourceLicenseProvenance(t *testing.T) {
	inv := norm(
		asset.Sighting{Kind: asset.KindLicense, Name: "MIT", License: "MIT", Path: "LICENSE", Detector: "license.text", Confidence: 0.9},
		asset.Sighting{Kind: asset.KindLicense, Name: "Apache-2.0", License: "Apache-2.0", Path: "vendor/x/LICENSE", Line: 1, Detector: "license.spdx_line", Confidence: 1},
	)
	want := []license.Provenance{{Source: license.SourceFile, Location: "LICENSE"}}
	if inv.Source.License != "MIT" || !reflect.DeepEqual(inv.Source.LicenseFrom, want) {
		t.Errorf("source license %q from %+v, want MIT from %+v", inv.Source.License, inv.Source.LicenseFrom, want)
	}
	if got := norm().Source.LicenseFrom; !reflect.DeepEqual(got, []license.Provenance{{Source: license.SourceUnknown, Reason: license.ReasonNothingDeclared}}) {
		t.Errorf("a repository without license files: %+v", got)
	}
}
