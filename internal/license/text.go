package license

import "strings"

// textRule identifies a license text by phrases that only that text contains.
// Every phrase of all must occur and none of none.
type textRule struct {
	all  []string
	none []string
	id   string // SPDX id, or a key of hfRefs
}

// textRules are ordered from the most to the least specific, so that a
// variant (LGPL, AGPL, CC BY-NC-SA) is tried before its family.
var textRules = []textRule{
	{all: []string{"gnu affero general public license", "version 3, 19 november 2007"}, id: "AGPL-3.0-only"},
	{all: []string{"gnu lesser general public license", "version 3, 29 june 2007"}, id: "LGPL-3.0-only"},
	{all: []string{"gnu lesser general public license", "version 2.1, february 1999"}, id: "LGPL-2.1-only"},
	{all: []string{"gnu general public license", "version 3, 29 june 2007"}, none: []string{"gnu lesser general public license"}, id: "GPL-3.0-only"},
	{all: []string{"gnu general public license", "version 2, june 1991"}, none: []string{"gnu lesser general public license"}, id: "GPL-2.0-only"},
	{all: []string{"apache license", "version 2.0, january 2004"}, id: "Apache-2.0"},
	{all: []string{"mozilla public license version 2.0"}, id: "MPL-2.0"},
	{all: []string{"mozilla public license, version 2.0"}, id: "MPL-2.0"},
	{all: []string{"eclipse public license - v 2.0"}, id: "EPL-2.0"},
	{all: []string{"boost software license - version 1.0"}, id: "BSL-1.0"},
	{all: []string{"this is free and unencumbered software released into the public domain"}, id: "Unlicense"},
	{all: []string{"permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted"},
		none: []string{"the above copyright notice and this permission notice appear in all copies"}, id: "0BSD"},
	{all: []string{"permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted",
		"the above copyright notice and this permission notice appear in all copies"}, id: "ISC"},
	{all: []string{"permission is hereby granted, free of charge, to any person obtaining a copy",
		"the above copyright notice and this permission notice shall be included"}, id: "MIT"},
	{all: []string{"permission is hereby granted, free of charge, to any person obtaining a copy"},
		none: []string{"the above copyright notice and this permission notice shall be included"}, id: "MIT-0"},
	{all: []string{"redistribution and use in source and binary forms", "neither the name of"}, id: "BSD-3-Clause"},
	{all: []string{"redistribution and use in source and binary forms"},
		none: []string{"neither the name of", "endorse or promote", "advertising materials"}, id: "BSD-2-Clause"},
	{all: []string{"attribution-noncommercial-sharealike 4.0 international"}, id: "CC-BY-NC-SA-4.0"},
	{all: []string{"attribution-noncommercial-noderivatives 4.0 international"}, id: "CC-BY-NC-ND-4.0"},
	{all: []string{"attribution-noncommercial 4.0 international"}, id: "CC-BY-NC-4.0"},
	{all: []string{"attribution-sharealike 4.0 international"}, id: "CC-BY-SA-4.0"},
	{all: []string{"attribution-noderivatives 4.0 international"}, id: "CC-BY-ND-4.0"},
	{all: []string{"creative commons attribution 4.0 international"}, id: "CC-BY-4.0"},
	{all: []string{"attribution 4.0 international", "creative commons corporation"},
		none: []string{"noncommercial", "sharealike", "noderivatives"}, id: "CC-BY-4.0"},
	{all: []string{"cc0 1.0 universal"}, id: "CC0-1.0"},
	{all: []string{"llama 4 community license agreement"}, id: "llama4"},
	{all: []string{"llama 3.3 community license agreement"}, id: "llama3.3"},
	{all: []string{"llama 3.2 community license agreement"}, id: "llama3.2"},
	{all: []string{"llama 3.1 community license agreement"}, id: "llama3.1"},
	{all: []string{"meta llama 3 community license agreement"}, id: "llama3"},
	{all: []string{"llama 2 community license agreement"}, id: "llama2"},
	{all: []string{"gemma terms of use"}, id: "gemma"},
	{all: []string{"creativeml open rail++-m license"}, id: "openrail++"},
	{all: []string{"creativeml open rail-m"}, id: "creativeml-openrail-m"},
	{all: []string{"bigscience bloom rail license v1.0"}, id: "bigscience-bloom-rail-1.0"},
	{all: []string{"bigscience open rail-m license"}, id: "bigscience-openrail-m"},
}

// IdentifyText identifies a license from its full text (a LICENSE file or a
// license section). Only texts with unmistakable phrases are identified.
func IdentifyText(text string) License {
	t := strings.ToLower(strings.Join(strings.Fields(sanitize(text)), " "))
	// Quotes and apostrophes vary between copies of the same text.
	t = strings.NewReplacer("“", "\"", "”", "\"", "’", "'", "‘", "'").Replace(t)
	for _, r := range textRules {
		if containsAll(t, r.all) && !containsAny(t, r.none) {
			if ref, ok := hfRefs[r.id]; ok {
				return License{ID: ref.ref, Name: ref.name, URL: ref.url}
			}
			return fromID(r.id)
		}
	}
	return unknown("")
}

func containsAll(t string, phrases []string) bool {
	for _, p := range phrases {
		if !strings.Contains(t, p) {
			return false
		}
	}
	return true
}

func containsAny(t string, phrases []string) bool {
	for _, p := range phrases {
		if strings.Contains(t, p) {
			return true
		}
	}
	return false
}
