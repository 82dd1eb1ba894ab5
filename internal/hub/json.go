package hub

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Shapes of Hub API responses (GET /api/{models,datasets,spaces}/ID[/revision/REV]?blobs=true),
// named as the Hub spells them. Card data is written by repository authors
// in free-form YAML, so every field there tolerates a string, a list, a
// number or null instead of failing the whole decode.

type Info struct {
	ID           flexString      `json:"id"`
	Author       flexString      `json:"author"`
	SHA          flexString      `json:"sha"`
	LastModified flexString      `json:"lastModified"`
	Private      bool            `json:"private"`
	Disabled     bool            `json:"disabled"`
	Gated        json.RawMessage `json:"gated"` // false, "auto" or "manual"
	Downloads    flexString      `json:"downloads"`
	Likes        flexString      `json:"likes"`
	LibraryName  flexString      `json:"library_name"`
	PipelineTag  flexString      `json:"pipeline_tag"`
	Tags         flexStrings     `json:"tags"`
	SDK          flexString      `json:"sdk"`
	CardData     json.RawMessage `json:"cardData"`
	Config       json.RawMessage `json:"config"`
	Siblings     []Sibling       `json:"siblings"`
}

type Sibling struct {
	RFilename string `json:"rfilename"`
	Size      *int64 `json:"size"`
	BlobID    string `json:"blobId"`
	LFS       *LFS   `json:"lfs"`
}

type LFS struct {
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	PointerSize int64  `json:"pointerSize"`
}

type CardData struct {
	License        flexStrings     `json:"license"`
	LicenseName    flexString      `json:"license_name"`
	LicenseLink    flexString      `json:"license_link"`
	BaseModel      flexStrings     `json:"base_model"`
	Datasets       flexStrings     `json:"datasets"`
	Models         flexStrings     `json:"models"` // Spaces: models the app uses
	Language       flexStrings     `json:"language"`
	PipelineTag    flexString      `json:"pipeline_tag"`
	LibraryName    flexString      `json:"library_name"`
	Tags           flexStrings     `json:"tags"`
	TaskCategories flexStrings     `json:"task_categories"`
	PrettyName     flexString      `json:"pretty_name"`
	ModelIndex     json.RawMessage `json:"model-index"`
}

type ModelConfig struct {
	Architectures flexStrings `json:"architectures"`
	ModelType     flexString  `json:"model_type"`
}

type ModelIndex []struct {
	Name    flexString `json:"name"`
	Results []struct {
		Task struct {
			Type flexString `json:"type"`
			Name flexString `json:"name"`
		} `json:"task"`
		Dataset struct {
			Type flexString `json:"type"`
			Name flexString `json:"name"`
		} `json:"dataset"`
		Metrics []struct {
			Type  flexString `json:"type"`
			Name  flexString `json:"name"`
			Value flexString `json:"value"`
		} `json:"metrics"`
	} `json:"results"`
}

// flexString accepts any JSON scalar; lists and objects leave it empty.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	*f = flexString(scalarText(bytes.TrimSpace(b)))
	return nil
}

// flexStrings accepts a scalar or a list of scalars.
type flexStrings []string

func (f *flexStrings) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*f = nil
	if len(b) > 0 && b[0] == '[' {
		var items []json.RawMessage
		if json.Unmarshal(b, &items) != nil {
			return nil
		}
		for _, it := range items {
			if s := scalarText(bytes.TrimSpace(it)); s != "" {
				*f = append(*f, s)
			}
		}
		return nil
	}
	if s := scalarText(b); s != "" {
		*f = flexStrings{s}
	}
	return nil
}

func scalarText(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	switch b[0] {
	case '"':
		var s string
		if json.Unmarshal(b, &s) != nil {
			return ""
		}
		return strings.TrimSpace(s)
	case '[', '{', 'n':
		return ""
	case 't', 'f':
		return string(b)
	}
	if _, err := strconv.ParseFloat(string(b), 64); err == nil {
		return string(b)
	}
	return ""
}

// gatedMode returns "" when the repository is not gated, else the Hub's
// mode ("auto", "manual", or "true").
func gatedMode(raw json.RawMessage) string {
	s := scalarText(bytes.TrimSpace(raw))
	if s == "false" {
		return ""
	}
	return s
}
