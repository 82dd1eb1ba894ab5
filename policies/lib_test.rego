package mlbom.lib_test

import data.mlbom.lib

test_within_distance if {
	lib.within("meta-llama", "meta-llama", 0)
	lib.within("meta-llama", "meta-llama", 2)
	lib.within("meta-llarna", "meta-llama", 2) # rn for m: one substitution, one insertion
	lib.within("meta_llama", "meta-llama", 1)
	lib.within("metallama", "meta-llama", 1)
	lib.within("mistrai", "mistralai", 2)
	lib.within("", "ab", 2)
	not lib.within("meta-llarna", "meta-llama", 1)
	not lib.within("microsoft", "macrohard", 2)
	not lib.within("abc", "", 2)
	not lib.within("google", "goggle-ai", 2)
}

test_within_substitution_at_end if {
	lib.within("bert-base-uncasex", "bert-base-uncased", 1)
	lib.within("xert-base-uncased", "bert-base-uncased", 1)
}

test_licenses_of_entries if {
	c := {"licenses": [
		{"license": {"id": "MIT"}},
		{"license": {"name": "LicenseRef-llama3.1"}},
		{"expression": "(Apache-2.0 OR GPL-2.0-only WITH Classpath-exception-2.0) AND BSD-3-Clause"},
	]}
	lib.licenses(c) == {"MIT", "LicenseRef-llama3.1", "Apache-2.0", "GPL-2.0-only", "BSD-3-Clause"}
	lib.is_disjunction(c) == false
}

test_disjunction if {
	lib.is_disjunction({"licenses": [{"expression": "Apache-2.0 OR MIT"}]})
	lib.is_disjunction({"licenses": [{"expression": "Apache-2.0 AND MIT"}]}) == false
	lib.is_disjunction({"licenses": [{"license": {"id": "MIT"}}]}) == false
}

test_host if {
	lib.host("https://user:pw@Models.Example.com:8443/a/b?x=1") == "models.example.com"
	lib.host("s3://bucket.s3.amazonaws.com/key") == "bucket.s3.amazonaws.com"
	not lib.host("not a url")
	lib.host_allowed("cdn-lfs.huggingface.co", ["*.huggingface.co"])
	not lib.host_allowed("huggingface.co.evil.io", ["*.huggingface.co", "huggingface.co"])
}

test_kind_falls_back_to_type if {
	lib.kind({"type": "machine-learning-model"}, {}) == "model"
	lib.kind({"type": "data"}, {}) == "dataset"
	lib.kind({"type": "library"}, {"mlbom:asset.kind": "framework"}) == "framework"
	lib.kind({"type": "library"}, {}) == "library"
}

test_org if {
	lib.org({"group": "google-bert", "name": "bert-base-uncased"}) == "google-bert"
	lib.org({"name": "mistralai/Mistral-7B-v0.3"}) == "mistralai"
	lib.org({"name": "gpt2"}) == ""
	lib.org({"name": "models/bert/model.safetensors"}) == ""
}

test_paths_and_dirs if {
	lib.dir("models/bert/model.safetensors") == "models/bert"
	lib.dir("model.bin") == ""
	lib.basename("models/bert/model.safetensors") == "model.safetensors"
}

test_duplicate_bom_refs_do_not_fail if {
	doc := {"bom": {"components": [{"bom-ref": "a", "name": "x"}, {"bom-ref": "a", "name": "y"}]}}
	lib.display_ref("a") in {"x", "y"} with input as doc
	lib.display_ref("missing") == "missing" with input as doc
}
