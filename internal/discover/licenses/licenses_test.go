package licenses

import (
	"testing"

	"github.com/mlbom/autopilot/internal/discover/detect/detecttest"
)

// TestTexts runs Texts alone over the cases of the discovery table that
// hold files it wants.
func TestTexts(t *testing.T) {
	detecttest.Check(t, Texts{}, []detecttest.Case{
		{Name: "license text and SPDX line", Files: map[string]string{"LICENSE": mitText, "vendor/x/COPYING": "SPDX-License-Identifier: GPL-2.0-only\n"},
			Want: []string{
				"license GPL-2.0-only vendor/x/COPYING:1 license.spdx_line",
				"license MIT LICENSE:0 license.text",
			}},
	})
}

func TestTwoTextsAndMetadata(t *testing.T) {
	apache := "                                 Apache License\n                           Version 2.0, January 2004\n        http://www.apache.org/licenses/\n\n   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION\n"
	detecttest.Check(t, Texts{}, []detecttest.Case{
		{Name: "relicensing: Apache-2.0 and MIT in one file", Files: map[string]string{"LICENSE": apache + "wherever such third-party notices normally appear\n---\n\nMIT License\n\n" + mitText + "\n"},
			Want: []string{
				"license Apache-2.0 LICENSE:0 license.text",
				"license MIT LICENSE:11 license.text",
			}},
		{Name: "trap: bundled third-party notices, documentation stub", Files: map[string]string{
			"NOTICE/LICENSE":  apache + "\nThis product bundles third-party software:\n" + mitText + "\n",
			"docs/licence.md": "# Licence\n\n```\n--8<-- \"LICENCE\"\n```\n"},
			Want: []string{"license Apache-2.0 NOTICE/LICENSE:0 license.text"}},
	})
	for _, c := range []struct {
		in string
		ok bool
	}{{"MIT", true}, {"MIT OR Apache-2.0", true}, {"SEE LICENSE IN LICENSE", false}, {"UNLICENSED", false}, {"file:LICENSE.txt", false}, {"", false}} {
		if _, ok := Declared("package.json", 5, c.in, "license.package_json"); ok != c.ok {
			t.Errorf("Declared(%q) = %v, want %v", c.in, ok, c.ok)
		}
	}
}

const mitText = "Permission is hereby granted, free of charge, to any person obtaining a copy ... The above copyright notice and this permission notice shall be included in all copies"

func TestIdentifyLicense(t *testing.T) {
	cases := map[string]string{
		"Apache License\nVersion 2.0, January 2004":                                    "Apache-2.0",
		"GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007":                          "GPL-3.0",
		"GNU GENERAL PUBLIC LICENSE\n Version 2, June 1991":                            "GPL-2.0",
		"GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3, 19 November 2007":               "AGPL-3.0",
		"GNU LESSER GENERAL PUBLIC LICENSE\nVersion 2.1, February 1999":                "LGPL-2.1",
		"GNU LESSER GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007":                   "LGPL-3.0",
		"Mozilla Public License Version 2.0":                                           "MPL-2.0",
		"Redistribution and use in source and binary forms ... 3. Neither the name of": "BSD-3-Clause",
		"Redistribution and use in source and binary forms, with or without modification, are permitted provided that: this list of conditions and the following disclaimer": "BSD-2-Clause",
		"This is free and unencumbered software released into the public domain.":                                                                                            "Unlicense",
		"Creative Commons Attribution 4.0 International Public License":                                                                                                      "CC-BY-4.0",
		"Attribution-NonCommercial 4.0 International":                                                                                                                        "CC-BY-NC-4.0",
		"LLAMA 2 COMMUNITY LICENSE AGREEMENT\nLlama 2 Version Release Date":                                                                                                  "LicenseRef-llama2",
		"META LLAMA 3 COMMUNITY LICENSE AGREEMENT":                                                                                                                           "LicenseRef-llama3",
		"CreativeML Open RAIL-M License":                                                                                                                                     "CreativeML-OpenRAIL-M",
		mitText:                                                                                                                                                              "MIT",
		"All rights reserved.":                                                                                                                                               "",
	}
	for text, id := range cases {
		if got, _, _ := Identify(text); got != id {
			t.Errorf("Identify(%.40q) = %q, want %q", text, got, id)
		}
	}
}
