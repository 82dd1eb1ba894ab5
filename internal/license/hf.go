package license

// hfRef is a license the Hugging Face Hub knows that has no SPDX id.
type hfRef struct {
	ref  string // LicenseRef-...
	name string
	url  string
}

// hfSPDX maps Hugging Face license identifiers (the `license:` values the Hub
// offers, https://huggingface.co/docs/hub/repositories-licenses) to SPDX ids
// where the two name the same license text. Ids equal to an SPDX id up to
// case (mit, apache-2.0, cc-by-4.0, ...) need no entry here.
var hfSPDX = map[string]string{
	"afl-3.0":             "AFL-3.0",
	"agpl-3.0":            "AGPL-3.0-only",
	"bsd-3-clause-clear":  "BSD-3-Clause-Clear",
	"c-uda":               "C-UDA-1.0",
	"cdla-sharing-1.0":    "CDLA-Sharing-1.0",
	"cdla-permissive-1.0": "CDLA-Permissive-1.0",
	"cdla-permissive-2.0": "CDLA-Permissive-2.0",
	"ecl-2.0":             "ECL-2.0",
	"etalab-2.0":          "etalab-2.0",
	"gpl-2.0":             "GPL-2.0-only",
	"gpl-3.0":             "GPL-3.0-only",
	"lgpl-2.1":            "LGPL-2.1-only",
	"lgpl-3.0":            "LGPL-3.0-only",
	"lgpl-lr":             "LGPLLR",
	"odbl":                "ODbL-1.0",
	"odc-by":              "ODC-By-1.0",
	"pddl":                "PDDL-1.0",
	"postgresql":          "PostgreSQL",
	"unlicense":           "Unlicense",
	"wtfpl":               "WTFPL",
	"zlib":                "Zlib",
	"openmdw-1.0":         "OpenMDW-1.0",
	"cc0-1.0":             "CC0-1.0",
	"lppl-1.3c":           "LPPL-1.3c",
	"ms-pl":               "MS-PL",
	"ncsa":                "NCSA",
	"ofl-1.1":             "OFL-1.1",
	"osl-3.0":             "OSL-3.0",
	"mpl-2.0":             "MPL-2.0",
	"epl-1.0":             "EPL-1.0",
	"epl-2.0":             "EPL-2.0",
	"eupl-1.1":            "EUPL-1.1",
	"eupl-1.2":            "EUPL-1.2",
	"artistic-2.0":        "Artistic-2.0",
	"bsl-1.0":             "BSL-1.0",
	"isc":                 "ISC",
	"apache-2.0":          "Apache-2.0",
	"mit":                 "MIT",
	"bsd-2-clause":        "BSD-2-Clause",
	"bsd-3-clause":        "BSD-3-Clause",
	"cc-by-2.0":           "CC-BY-2.0",
	"cc-by-2.5":           "CC-BY-2.5",
	"cc-by-3.0":           "CC-BY-3.0",
	"cc-by-4.0":           "CC-BY-4.0",
	"cc-by-sa-3.0":        "CC-BY-SA-3.0",
	"cc-by-sa-4.0":        "CC-BY-SA-4.0",
	"cc-by-nc-2.0":        "CC-BY-NC-2.0",
	"cc-by-nc-3.0":        "CC-BY-NC-3.0",
	"cc-by-nc-4.0":        "CC-BY-NC-4.0",
	"cc-by-nd-4.0":        "CC-BY-ND-4.0",
	"cc-by-nc-nd-3.0":     "CC-BY-NC-ND-3.0",
	"cc-by-nc-nd-4.0":     "CC-BY-NC-ND-4.0",
	"cc-by-nc-sa-2.0":     "CC-BY-NC-SA-2.0",
	"cc-by-nc-sa-3.0":     "CC-BY-NC-SA-3.0",
	"cc-by-nc-sa-4.0":     "CC-BY-NC-SA-4.0",
}

// hfRefs are Hub licenses without an SPDX id, written as LicenseRef entries
// with the license's own name and where to read it.
var hfRefs = map[string]hfRef{
	"openrail":                  {"LicenseRef-openrail", "Open RAIL License", "https://huggingface.co/blog/open_rail"},
	"openrail++":                {"LicenseRef-openrail-pp", "CreativeML Open RAIL++-M License", "https://huggingface.co/stabilityai/stable-diffusion-xl-base-1.0/blob/main/LICENSE.md"},
	"creativeml-openrail-m":     {"LicenseRef-creativeml-openrail-m", "CreativeML Open RAIL-M License", "https://huggingface.co/spaces/CompVis/stable-diffusion-license"},
	"bigscience-openrail-m":     {"LicenseRef-bigscience-openrail-m", "BigScience Open RAIL-M License", "https://bigscience.huggingface.co/blog/bigscience-openrail-m"},
	"bigscience-bloom-rail-1.0": {"LicenseRef-bigscience-bloom-rail-1.0", "BigScience BLOOM RAIL License v1.0", "https://huggingface.co/spaces/bigscience/license"},
	"bigcode-openrail-m":        {"LicenseRef-bigcode-openrail-m", "BigCode Open RAIL-M License v1", "https://huggingface.co/spaces/bigcode/bigcode-model-license-agreement"},
	"llama2":                    {"LicenseRef-llama2", "Llama 2 Community License Agreement", "https://ai.meta.com/llama/license/"},
	"llama3":                    {"LicenseRef-llama3", "Meta Llama 3 Community License Agreement", "https://llama.meta.com/llama3/license/"},
	"llama3.1":                  {"LicenseRef-llama3.1", "Llama 3.1 Community License Agreement", "https://llama.meta.com/llama3_1/license/"},
	"llama3.2":                  {"LicenseRef-llama3.2", "Llama 3.2 Community License Agreement", "https://www.llama.com/llama3_2/license/"},
	"llama3.3":                  {"LicenseRef-llama3.3", "Llama 3.3 Community License Agreement", "https://www.llama.com/llama3_3/license/"},
	"llama4":                    {"LicenseRef-llama4", "Llama 4 Community License Agreement", "https://www.llama.com/llama4/license/"},
	"gemma":                     {"LicenseRef-gemma", "Gemma Terms of Use", "https://ai.google.dev/gemma/terms"},
	"deepfloyd-if-license":      {"LicenseRef-deepfloyd-if-license", "DeepFloyd IF License Agreement", "https://huggingface.co/spaces/DeepFloyd/deepfloyd-if-license"},
	"fair-noncommercial-research-license": {"LicenseRef-fair-noncommercial-research-license",
		"FAIR Noncommercial Research License", "https://huggingface.co/facebook/fair-noncommercial-research-license"},
	"apple-ascl":      {"LicenseRef-apple-ascl", "Apple Sample Code License", "https://developer.apple.com/support/downloads/terms/apple-sample-code/Apple-Sample-Code-License.pdf"},
	"apple-amlr":      {"LicenseRef-apple-amlr", "Apple Model License for Research", "https://huggingface.co/apple/DCLM-7B/blob/main/LICENSE"},
	"h-research":      {"LicenseRef-h-research", "H Research License", ""},
	"intel-research":  {"LicenseRef-intel-research", "Intel Research Use License Agreement", ""},
	"grok2-community": {"LicenseRef-grok2-community", "Grok 2 Community License Agreement", ""},
	// Families the Hub allows without a version: the version is unknown, so
	// they get a reference of their own rather than a guessed SPDX id.
	"bsd":  {"LicenseRef-bsd", "BSD license family (variant unspecified)", ""},
	"cc":   {"LicenseRef-cc", "Creative Commons license family (variant unspecified)", ""},
	"gpl":  {"LicenseRef-gpl", "GNU General Public License (version unspecified)", ""},
	"lgpl": {"LicenseRef-lgpl", "GNU Lesser General Public License (version unspecified)", ""},
	"gfdl": {"LicenseRef-gfdl", "GNU Free Documentation License (version unspecified)", ""},
}

// unknownWords are values that say nothing about the license.
var unknownWords = map[string]bool{
	"": true, "unknown": true, "noassertion": true, "none": true, "n/a": true, "na": true,
	"other": true, "null": true, "~": true, "tbd": true, "see license": true, "custom": true,
}

// aliases are common hand-written names that the SPDX names do not cover.
var aliases = map[string]string{
	"apache 2":           "Apache-2.0",
	"apache2":            "Apache-2.0",
	"apache 2 0":         "Apache-2.0",
	"asl 2 0":            "Apache-2.0",
	"mit":                "MIT",
	"expat":              "MIT",
	"gplv2":              "GPL-2.0-only",
	"gplv3":              "GPL-3.0-only",
	"gpl 2":              "GPL-2.0-only",
	"gpl 3":              "GPL-3.0-only",
	"gnu gpl 3":          "GPL-3.0-only",
	"gnu gpl v3":         "GPL-3.0-only",
	"gnu gpl v2":         "GPL-2.0-only",
	"lgplv3":             "LGPL-3.0-only",
	"lgplv2 1":           "LGPL-2.1-only",
	"agplv3":             "AGPL-3.0-only",
	"bsd 3 clause":       "BSD-3-Clause",
	"new bsd":            "BSD-3-Clause",
	"bsd 2 clause":       "BSD-2-Clause",
	"simplified bsd":     "BSD-2-Clause",
	"mpl 2 0":            "MPL-2.0",
	"mozilla 2 0":        "MPL-2.0",
	"cc by 4 0":          "CC-BY-4.0",
	"cc by sa 4 0":       "CC-BY-SA-4.0",
	"cc by nc 4 0":       "CC-BY-NC-4.0",
	"cc by nc sa 4 0":    "CC-BY-NC-SA-4.0",
	"cc0":                "CC0-1.0",
	"unlicense":          "Unlicense",
	"boost software 1 0": "BSL-1.0",
}
