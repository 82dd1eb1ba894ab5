package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/mlbom/autopilot/internal/auth"
)

// The OpenAPI document is the contract and the access table at once: every
// route the server registers must be an operation in it, and the role an
// operation names in x-mlbom-role is the role the server demands. A route
// added to the code without a document entry fails at New (and so in every
// test); one documented but not served fails TestOpenAPIMatchesRoutes; and
// the 401/403 matrix test walks the document, so it covers new routes
// without being edited.
//
//go:embed openapi.json
var openAPIJSON []byte

// Operation is one method on one documented path.
type Operation struct {
	Method string // GET, POST, DELETE
	Path   string // as documented: /api/projects/{project}/bom
	ID     string
	Role   string // auth.Public or a role
	Codes  []int  // documented response statuses
	// Params maps each path parameter to its documented example, and
	// Required lists required query parameters with theirs.
	Params   map[string]string
	Required map[string]string
	Body     string // media type of the request body, if any
}

type openAPIDoc struct {
	OpenAPI string                                    `json:"openapi"`
	Paths   map[string]map[string]openAPIOperationDoc `json:"paths"`
}

type openAPIOperationDoc struct {
	OperationID string          `json:"operationId"`
	Role        string          `json:"x-mlbom-role"`
	Responses   map[string]any  `json:"responses"`
	Parameters  []openAPIParam  `json:"parameters"`
	RequestBody *openAPIBodyDoc `json:"requestBody"`
}

type openAPIParam struct {
	Name     string `json:"name"`
	In       string `json:"in"`
	Required bool   `json:"required"`
	Example  any    `json:"example"`
}

type openAPIBodyDoc struct {
	Content map[string]any `json:"content"`
}

// Operations parses the embedded document, sorted by path then method.
func Operations() ([]Operation, error) {
	var doc openAPIDoc
	if err := json.Unmarshal(openAPIJSON, &doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		return nil, fmt.Errorf("openapi.json: version %q, want 3.1.x", doc.OpenAPI)
	}
	var ops []Operation
	for path, methods := range doc.Paths {
		for method, o := range methods {
			op := Operation{Method: strings.ToUpper(method), Path: path, ID: o.OperationID, Role: o.Role,
				Params: map[string]string{}, Required: map[string]string{}}
			if op.Role != auth.Public {
				if _, err := auth.ParseRole(op.Role); err != nil {
					return nil, fmt.Errorf("openapi.json: %s %s: x-mlbom-role: %w", op.Method, path, err)
				}
			}
			for code := range o.Responses {
				n, err := strconv.Atoi(code)
				if err != nil {
					return nil, fmt.Errorf("openapi.json: %s %s: response %q is not a status code", op.Method, path, code)
				}
				op.Codes = append(op.Codes, n)
			}
			sort.Ints(op.Codes)
			for _, p := range o.Parameters {
				switch {
				case p.In == "path":
					op.Params[p.Name] = fmt.Sprint(p.Example)
				case p.In == "query" && p.Required:
					op.Required[p.Name] = fmt.Sprint(p.Example)
				}
			}
			if o.RequestBody != nil {
				for mt := range o.RequestBody.Content {
					op.Body = mt
				}
			}
			ops = append(ops, op)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	return ops, nil
}

// mustOperations is Operations for New: a broken embedded document is a bug
// every test catches.
func mustOperations() map[string]Operation {
	ops, err := Operations()
	if err != nil {
		panic(err)
	}
	m := make(map[string]Operation, len(ops))
	for _, op := range ops {
		m[op.Method+" "+op.Path] = op
	}
	return m
}
