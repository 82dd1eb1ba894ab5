// Copyright 2025 The OPA Authors.  All rights reserved.
// Use of this source code is governed by an Apache2
// license that can be found in the LICENSE file.

package main

func main() {
	templateFile := "test-keywords-in-ref_v0.yaml.template"
	_ = templateFile
}
