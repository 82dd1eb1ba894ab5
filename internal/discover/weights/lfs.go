package weights

import (
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/lfs"
	"github.com/mlbom/autopilot/internal/modelformat"
)

// LFS reports the weight or data file a Git LFS pointer stands for,
// with the object's oid and size.
func LFS(f *detect.File, data []byte, out *detect.Report) {
	ptr, ok := lfs.Parse(data)
	if !ok {
		out.Warn("%s: looks like a Git LFS pointer but does not parse", f.Path)
		return
	}
	if format, ok := modelformat.ByExt(f.Ext); ok {
		if f.Ext == ".bin" {
			format = modelformat.PyTorch
		}
		out.Add(asset.Sighting{Kind: asset.KindWeights, Name: f.Path, Path: f.Path, Detector: "weights.lfs_pointer",
			Confidence: 0.9, Format: format, SHA256: ptr.OID, Size: ptr.Size, LFS: true, Provider: "local"})
		return
	}
	if dataExt[f.Ext] {
		out.Add(asset.Sighting{Kind: asset.KindDataset, Name: f.Path, Path: f.Path, Detector: "dataset.lfs_pointer",
			Confidence: 0.8, Format: strings.TrimPrefix(f.Ext, "."), SHA256: ptr.OID, Size: ptr.Size, LFS: true, Provider: "local"})
	}
}
