// Copyright 2019 The OPA Authors.  All rights reserved.
// Use of this source code is governed by an Apache2
// license that can be found in the LICENSE file.

// Package authz contains unit and benchmark tests for authz use-cases
// The public (non-test) APIs are meant to be used as helpers for
// other tests to build off of.
package authz

import (
	"encoding/json"
	"fmt"

	"github.com/open-policy-agent/opa/v1/util"
)

// Policy is a test rego policy for a token based authz system
const Policy = `package policy.restauthz

import data.restauthz.tokens

default allow := false

allow if {
	token := tokens[input.token_id]
	some authz in token.authz_profiles
	regex.match(authz.path, input.path)
	input.method in authz.methods
}`

// AllowQuery is the test query that goes with the Policy
// defined in this package
const AllowQuery = "data.policy.restauthz.allow"
