package oms

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
)

// Properties CheckTree writes on the model's finding; they appear in the BOM
// as mlbom:model.signature.*.
const (
	PropStatus   = "signature.status"   // valid, invalid, unverified, unsupported
	PropSigner   = "signature.signer"   // the trusted key's name, or sha256:<hint>
	PropFile     = "signature.file"     // path of the signature in the repository
	PropFormat   = "signature.format"   // openssf-model-signing
	PropProblems = "signature.problems" // what failed, bounded
	// FormatName is the PropFormat value.
	FormatName = "openssf-model-signing"
)

// maxSignatures bounds how many signature files one scan verifies.
const maxSignatures = 100

// skipDirs are never model directories.
var skipDirs = map[string]bool{".git": true, "node_modules": true, "vendor": true, "__pycache__": true}

// CheckTree finds OpenSSF model signatures in a repository (model.sig in a
// model directory, or FILE.sig beside a single-file model), verifies each
// against the files around it with the trusted keys, and returns one model
// finding per signature carrying the outcome (PropStatus, PropSigner, ...),
// named like the model discovery found in that directory so the inventory
// merges it into that model's component.
func CheckTree(ctx context.Context, fsys fs.FS, findings []asset.Sighting, trusted []TrustedKey) (out []asset.Sighting, warnings []string) {
	type sigFile struct{ sig, model, rel string }
	var sigs []sigFile
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p != "." && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || len(sigs) >= maxSignatures {
			return nil
		}
		switch {
		case d.Name() == SignatureFile:
			sigs = append(sigs, sigFile{sig: p, model: path.Dir(p), rel: SignatureFile})
		case strings.HasSuffix(d.Name(), ".sig"):
			target := strings.TrimSuffix(p, ".sig")
			if st, err := fs.Stat(fsys, target); err == nil && st.Mode().IsRegular() {
				sigs = append(sigs, sigFile{sig: p, model: target})
			}
		}
		return nil
	})
	if err != nil {
		return nil, []string{fmt.Sprintf("model signatures: %v", err)}
	}
	for _, s := range sigs {
		data, err := readBounded(fsys, s.sig)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("model signature %s: %v", s.sig, err))
			continue
		}
		// Only OpenSSF bundles: other .sig files (GPG, cosign blobs) are not ours to judge.
		if !strings.Contains(string(data[:min(len(data), 4096)]), "application/vnd.dev.sigstore.bundle") {
			continue
		}
		res, err := VerifyFS(ctx, fsys, s.model, data, s.rel, trusted)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("model signature %s: %v", s.sig, err))
			continue
		}
		f := modelNamed(findings, s.model)
		props := map[string]string{PropStatus: res.Status, PropFile: s.sig, PropFormat: FormatName}
		if res.Signer != "" {
			props[PropSigner] = res.Signer
		}
		if len(res.Problems) > 0 {
			p := strings.Join(res.Problems, "; ")
			if len(p) > 512 {
				p = p[:509] + "..."
			}
			props[PropProblems] = p
		}
		f.Path, f.Detector, f.Confidence, f.Props = s.sig, "oms.signature", 0.9, props
		out = append(out, f)
	}
	return out, warnings
}

// modelNamed is the model discovery found at dir, as a finding the
// inventory merges into that model's component: the model its weight files
// belong to (named as the weights name it, provider left for the inventory
// to derive as it does for them), else a model found in the directory (its
// card), else the directory itself, which is how discovery names a model it
// knows only by its directory.
func modelNamed(findings []asset.Sighting, dir string) asset.Sighting {
	under := func(p string) bool { return dir == "." || p == dir || strings.HasPrefix(p, dir+"/") }
	count := map[string]int{}
	for _, f := range findings {
		if f.Kind == asset.KindWeights && f.Model != "" && under(f.Path) {
			count[f.Model]++
		}
	}
	if len(count) > 0 {
		names := make([]string, 0, len(count))
		for n := range count {
			names = append(names, n)
		}
		sort.Slice(names, func(i, j int) bool {
			if count[names[i]] != count[names[j]] {
				return count[names[i]] > count[names[j]]
			}
			return names[i] < names[j]
		})
		return asset.Sighting{Kind: asset.KindModel, Name: names[0]}
	}
	for _, f := range findings {
		if f.Kind == asset.KindModel && under(f.Path) && f.Name != "" {
			return asset.Sighting{Kind: asset.KindModel, Name: f.Name, Provider: f.Provider, Version: f.Version}
		}
	}
	return asset.Sighting{Kind: asset.KindModel, Name: dir}
}
