package hub

import (
	"encoding/json"
	"strings"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/license"
)

// Sightings turns repository metadata into sightings: the model or dataset
// itself, pinned to the revision sha, with its card; for a Space, the
// models and datasets its card declares.
func Sightings(repo Repo, info *Info, endpoint string) []asset.Sighting {
	var cd CardData
	if len(info.CardData) > 0 {
		_ = json.Unmarshal(info.CardData, &cd) // malformed card data leaves fields empty
	}
	var cfg ModelConfig
	if len(info.Config) > 0 {
		_ = json.Unmarshal(info.Config, &cfg)
	}
	gated := gatedMode(info.Gated)
	props := map[string]string{"hf.type": repo.Type}
	setProp := func(k, v string) {
		if v != "" {
			props[k] = v
		}
	}
	setProp("hf.author", string(info.Author))
	setProp("hf.downloads", string(info.Downloads))
	setProp("hf.likes", string(info.Likes))
	setProp("hf.lastModified", string(info.LastModified))
	setProp("hf.gated", gated)
	setProp("hf.sdk", string(info.SDK))
	if info.Private {
		props["hf.private"] = "true"
	}
	if len(cd.TaskCategories) > 0 {
		props["hf.task_categories"] = strings.Join(cd.TaskCategories, ",")
	}
	setProp("hf.pretty_name", string(cd.PrettyName))

	lic := first(cd.License)
	if strings.EqualFold(lic, "other") && cd.LicenseName != "" {
		// "other" says nothing; the named license is what a reviewer needs.
		lic = string(cd.LicenseName)
	}
	// The license, or its absence, is the Hub's word at this revision.
	props[license.FindingRevision] = string(info.SHA)
	if lic != "" {
		props[license.FindingSource] = license.SourceHub
	}
	readme := ""
	for _, s := range info.Siblings {
		if strings.EqualFold(s.RFilename, "README.md") {
			readme = s.RFilename
		}
	}

	if repo.Type == "space" {
		var out []asset.Sighting
		for _, m := range cd.Models {
			out = append(out, asset.Sighting{Kind: asset.KindModel, Name: m, Path: readme, Detector: "huggingface.space_card",
				Confidence: 0.9, Provider: "huggingface", URL: endpoint + "/" + m})
		}
		for _, d := range cd.Datasets {
			out = append(out, asset.Sighting{Kind: asset.KindDataset, Name: d, Path: readme, Detector: "huggingface.space_card",
				Confidence: 0.9, Provider: "huggingface", URL: endpoint + "/datasets/" + d})
		}
		return out
	}

	tags := []string(info.Tags)
	if len(tags) == 0 {
		tags = cd.Tags
	}
	card := &asset.ModelCard{
		License:       first(cd.License),
		LicenseName:   string(cd.LicenseName),
		LicenseLink:   string(cd.LicenseLink),
		BaseModel:     cd.BaseModel,
		Datasets:      cd.Datasets,
		Language:      cd.Language,
		PipelineTag:   firstNonEmpty(string(cd.PipelineTag), string(info.PipelineTag)),
		LibraryName:   firstNonEmpty(string(cd.LibraryName), string(info.LibraryName)),
		Tags:          tags,
		Architectures: cfg.Architectures,
		ModelType:     string(cfg.ModelType),
		Gated:         gated != "",
		Metrics:       modelIndexMetrics(cd.ModelIndex),
	}
	kind, u := asset.KindModel, endpoint+"/"+repo.ID
	if repo.Type == "dataset" {
		kind, u = asset.KindDataset, endpoint+"/datasets/"+repo.ID
	}
	if readme == "" {
		readme = "README.md" // the card's conventional home, even when absent
	}
	return []asset.Sighting{{
		Kind:       kind,
		Name:       repo.ID,
		Version:    string(info.SHA),
		Path:       readme,
		Detector:   "huggingface.api",
		Confidence: 1,
		Provider:   "huggingface",
		License:    lic,
		Model:      modelOf(kind, repo.ID),
		URL:        u,
		Card:       card,
		Props:      props,
	}}
}

func modelOf(k asset.Kind, id string) string {
	if k == asset.KindModel {
		return id
	}
	return ""
}

func modelIndexMetrics(raw json.RawMessage) []asset.Metric {
	if len(raw) == 0 {
		return nil
	}
	var mi ModelIndex
	if json.Unmarshal(raw, &mi) != nil {
		return nil
	}
	var out []asset.Metric
	for _, e := range mi {
		for _, r := range e.Results {
			ds := firstNonEmpty(string(r.Dataset.Name), string(r.Dataset.Type))
			for _, m := range r.Metrics {
				typ := firstNonEmpty(string(m.Type), string(m.Name))
				if typ == "" || m.Value == "" {
					continue
				}
				out = append(out, asset.Metric{Task: firstNonEmpty(string(r.Task.Type), string(r.Task.Name)), Dataset: ds, Type: typ, Value: string(m.Value)})
			}
		}
	}
	return out
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
