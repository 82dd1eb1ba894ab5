package config

import (
	"context"
	"path"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/tree"
	"github.com/mlbom/autopilot/internal/modelformat"
)

// DVC reads DVC .dvc files: each tracked output is a dataset (or weights,
// by extension) with its md5 and size.
type DVC struct{}

func (DVC) Name() string { return "dvc" }

func (DVC) Wants(f *detect.File) bool { return f.Ext == ".dvc" }

func (DVC) Detect(_ context.Context, f *detect.File, out *detect.Report) {
	docs, err := tree.ParseYAML(f.Data)
	if err != nil || len(docs) == 0 {
		out.Warn("%s: .dvc file does not parse", f.Path)
		return
	}
	outs := docs[0].Get("outs")
	if outs == nil || outs.Kind != tree.List {
		return
	}
	for _, o := range outs.Vals {
		p := o.Get("path")
		if p == nil || p.Kind != tree.String {
			continue
		}
		target := path.Join(f.Dir, p.Text)
		fd := asset.Sighting{Kind: asset.KindDataset, Name: target, Path: f.Path, Line: p.Line, Detector: "dvc.out",
			Confidence: 0.9, Provider: "dvc", Props: map[string]string{}}
		if format, ok := modelformat.ByExt(strings.ToLower(path.Ext(p.Text))); ok {
			fd.Kind = asset.KindWeights
			fd.Format = format
		}
		if md5 := o.Str("md5"); md5 != "" {
			fd.Props["md5"] = md5
		} else if v := o.Get("md5"); v != nil && v.Text != "" {
			fd.Props["md5"] = v.Text
		}
		if sz := o.Get("size"); sz != nil {
			var n int64
			for _, c := range sz.Text {
				if c < '0' || c > '9' {
					n = 0
					break
				}
				n = n*10 + int64(c-'0')
			}
			fd.Size = n
		}
		if h := o.Str("hash"); h != "" {
			fd.Props["hash"] = h
		}
		out.Add(fd)
	}
}
