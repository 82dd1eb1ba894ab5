//go:build ignore

// gen_spdx builds spdx.json (the SPDX license list shipped with the binary)
// from CycloneDX's spdx.schema.json, whose enum holds every SPDX license id
// followed by every exception id, and whose meta:enum holds their full names.
// The schema does not say which ids are OSI approved or deprecated, so those
// flags come from the tables below (SPDX license list 3.28).
//
// It runs with `go generate ./internal/license` (the directive is in
// spdx.go); TestSPDXListIsGenerated fails when spdx.json is not what it
// writes.
//
//	go run gen_spdx.go ../bom/schema/spdx.schema.json spdx.json
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

type schema struct {
	Comment string            `json:"$comment"`
	Enum    []string          `json:"enum"`
	Meta    map[string]string `json:"meta:enum"`
}

type license struct {
	ID          string `json:"licenseId"`
	Name        string `json:"name"`
	OSIApproved bool   `json:"isOsiApproved"`
	Deprecated  bool   `json:"isDeprecatedLicenseId"`
}

type exception struct {
	ID         string `json:"licenseExceptionId"`
	Name       string `json:"name"`
	Deprecated bool   `json:"isDeprecatedLicenseId"`
}

type list struct {
	Version    string      `json:"licenseListVersion"`
	Source     string      `json:"source"`
	Licenses   []license   `json:"licenses"`
	Exceptions []exception `json:"exceptions"`
}

// deprecated ids of the SPDX license list (licenses and exceptions).
var deprecated = words(`AGPL-1.0 AGPL-3.0 BSD-2-Clause-FreeBSD BSD-2-Clause-NetBSD bzip2-1.0.5
eCos-2.0 GFDL-1.1 GFDL-1.2 GFDL-1.3 GPL-1.0 GPL-1.0+ GPL-2.0 GPL-2.0+
GPL-2.0-with-autoconf-exception GPL-2.0-with-bison-exception GPL-2.0-with-classpath-exception
GPL-2.0-with-font-exception GPL-2.0-with-GCC-exception GPL-3.0 GPL-3.0+
GPL-3.0-with-autoconf-exception GPL-3.0-with-GCC-exception LGPL-2.0 LGPL-2.0+ LGPL-2.1
LGPL-2.1+ LGPL-3.0 LGPL-3.0+ Net-SNMP Nunit StandardML-NJ wxWindows Nokia-Qt-exception-1.1`)

// osi lists the OSI-approved ids of the SPDX license list.
var osi = words(`0BSD AAL AFL-1.1 AFL-1.2 AFL-2.0 AFL-2.1 AFL-3.0 AGPL-3.0 AGPL-3.0-only
AGPL-3.0-or-later Apache-1.1 Apache-2.0 APL-1.0 APSL-1.0 APSL-1.1 APSL-1.2 APSL-2.0
Artistic-1.0 Artistic-1.0-cl8 Artistic-1.0-Perl Artistic-2.0 BlueOak-1.0.0 BSD-1-Clause
BSD-2-Clause BSD-2-Clause-Patent BSD-3-Clause BSD-3-Clause-LBNL BSL-1.0 CAL-1.0
CAL-1.0-Combined-Work-Exception CATOSL-1.1 CDDL-1.0 CECILL-2.1 CERN-OHL-P-2.0 CERN-OHL-S-2.0
CERN-OHL-W-2.0 CNRI-Python CPAL-1.0 CPL-1.0 CUA-OPL-1.0 ECL-1.0 ECL-2.0 EFL-1.0 EFL-2.0
Entessa EPL-1.0 EPL-2.0 EUDatagrid EUPL-1.1 EUPL-1.2 Fair Frameworx-1.0 GPL-2.0 GPL-2.0+
GPL-2.0-only GPL-2.0-or-later GPL-3.0 GPL-3.0+ GPL-3.0-only GPL-3.0-or-later
GPL-3.0-with-GCC-exception HPND ICU Intel IPA IPL-1.0 ISC Jam LGPL-2.0 LGPL-2.0+
LGPL-2.0-only LGPL-2.0-or-later LGPL-2.1 LGPL-2.1+ LGPL-2.1-only LGPL-2.1-or-later LGPL-3.0
LGPL-3.0+ LGPL-3.0-only LGPL-3.0-or-later LiLiQ-P-1.1 LiLiQ-R-1.1 LiLiQ-Rplus-1.1 LPL-1.0
LPL-1.02 LPPL-1.3c MirOS MIT MIT-0 MIT-Modern-Variant Motosoto MPL-1.0 MPL-1.1 MPL-2.0
MPL-2.0-no-copyleft-exception MS-PL MS-RL MulanPSL-2.0 Multics NASA-1.3 Naumen NCSA NGPL
Nokia NPOSL-3.0 NTP OCLC-2.0 OFL-1.1 OFL-1.1-no-RFN OFL-1.1-RFN OGTSL OLDAP-2.8 OLFL-1.3
OSET-PL-2.1 OSL-1.0 OSL-2.0 OSL-2.1 OSL-3.0 PHP-3.0 PHP-3.01 PostgreSQL Python-2.0 QPL-1.0
RPL-1.1 RPL-1.5 RPSL-1.0 RSCPL SimPL-2.0 SISSL Sleepycat SPL-1.0 UCL-1.0 Unicode-3.0
Unicode-DFS-2016 Unlicense UPL-1.0 VSL-1.0 W3C Watcom-1.0 Xnet Zlib ZPL-2.0 ZPL-2.1`)

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

func main() {
	if len(os.Args) != 2 && len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go run gen_spdx.go spdx.schema.json [out.json]")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var s schema
	if err := json.Unmarshal(data, &s); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The enum is two case-insensitively sorted runs: licenses, then
	// exceptions. The first id that sorts before its predecessor starts the
	// exceptions.
	split := len(s.Enum)
	for i := 1; i < len(s.Enum); i++ {
		if strings.ToLower(s.Enum[i]) < strings.ToLower(s.Enum[i-1]) {
			split = i
			break
		}
	}
	out := list{Source: "CycloneDX spdx.schema.json " + s.Comment}
	if m := regexp.MustCompile(`(\d+\.\d+(\.\d+)?)$`).FindString(s.Comment); m != "" {
		out.Version = m
	}
	for i, id := range s.Enum {
		if i < split {
			out.Licenses = append(out.Licenses, license{ID: id, Name: s.Meta[id], OSIApproved: osi[id], Deprecated: deprecated[id]})
		} else {
			out.Exceptions = append(out.Exceptions, exception{ID: id, Name: s.Meta[id], Deprecated: deprecated[id]})
		}
	}
	sort.Slice(out.Licenses, func(i, j int) bool { return out.Licenses[i].ID < out.Licenses[j].ID })
	sort.Slice(out.Exceptions, func(i, j int) bool { return out.Exceptions[i].ID < out.Exceptions[j].ID })
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if len(os.Args) == 3 {
		err = os.WriteFile(os.Args[2], buf.Bytes(), 0o644)
	} else {
		_, err = os.Stdout.Write(buf.Bytes())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
