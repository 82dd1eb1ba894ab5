// Copyright 2025 The OPA Authors.  All rights reserved.
// Use of this source code is governed by an Apache2
// license that can be found in the LICENSE file.

package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

//go:generate go run main.go

func main() {
	templateFile := "test-keywords-in-ref_v0.yaml.template"
	templateContent, err := os.ReadFile(templateFile)
	if err != nil {
		fmt.Printf("Error reading v0 template file: %v\n", err)
		os.Exit(1)
	}

	err = generate(ast.KeywordsV0[:], "../../testdata/v0/keywordrefs", string(templateContent))
