package notifytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// JiraIssue is a ticket held by the fake.
type JiraIssue struct {
	ID, Key     string
	Project     string
	Summary     string
	Description string
	IssueType   string
	Priority    string
	Labels      []string
	Status      string // "To Do" or "Done"
	Comments    []string
}

// Jira fakes the REST endpoints the notifier uses. With Cloud set it
// behaves like Jira Cloud: /rest/api/2/search answers 410 Gone and search
// goes through /rest/api/3/search/jql (nextPageToken paging); otherwise it
// is Server/Data Center: v2 search with startAt/total, no search/jql.
type Jira struct {
	Server  *httptest.Server
	Cloud   bool
	User    string
	Token   string
	Project string
	// PageSize caps results per search page, to exercise paging.
	PageSize int

	mu     sync.Mutex
	issues []*JiraIssue
	calls  map[string]int
	paths  []string
	faults map[string][]Fault
}

// NewJira starts a fake Jira (project "ML", user/token basic auth).
func NewJira(t testing.TB, cloud bool) *Jira {
	j := &Jira{Cloud: cloud, User: "bot@example.com", Token: "jira-token", Project: "ML", PageSize: 50,
		calls: map[string]int{}, faults: map[string][]Fault{}}
	j.Server = httptest.NewServer(http.HandlerFunc(j.serve))
	t.Cleanup(j.Server.Close)
	return j
}

// Inject queues faults for the next calls of an operation: "serverInfo",
// "search2", "search3", "create", "bulk", "comment", "transitions", "transition".
func (j *Jira) Inject(op string, faults ...Fault) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.faults[op] = append(j.faults[op], faults...)
}

// Issues returns copies of the tickets.
func (j *Jira) Issues() []JiraIssue {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]JiraIssue, len(j.issues))
	for i, is := range j.issues {
		out[i] = *is
		out[i].Comments = append([]string(nil), is.Comments...)
	}
	return out
}

// AddIssue seeds a ticket (as if created by hand or by another installation).
func (j *Jira) AddIssue(is JiraIssue) string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.add(&is)
}

func (j *Jira) add(is *JiraIssue) string {
	n := len(j.issues) + 1
	is.ID = strconv.Itoa(10000 + n)
	is.Key = fmt.Sprintf("%s-%d", j.Project, n)
	if is.Status == "" {
		is.Status = "To Do"
	}
	if is.Project == "" {
		is.Project = j.Project
	}
	j.issues = append(j.issues, is)
	return is.Key
}

// Calls returns the number of requests per operation.
func (j *Jira) Calls(op string) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.calls[op]
}

// Paths returns "METHOD path" of every request, in order.
func (j *Jira) Paths() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]string(nil), j.paths...)
}

var (
	reIssuePath = regexp.MustCompile(`^/rest/api/2/issue/([A-Z][A-Z0-9]*-\d+)/(comment|transitions)$`)
	reProject   = regexp.MustCompile(`project\s*=\s*"((?:[^"\\]|\\.)*)"`)
	reLabelsIn  = regexp.MustCompile(`labels\s+in\s*\(([^)]*)\)`)
	reQuoted    = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
)

func jiraError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"errorMessages": []string{msg}, "errors": map[string]string{}})
}

func (j *Jira) serve(w http.ResponseWriter, r *http.Request) {
	op := ""
	var key string
	p := r.URL.Path
	switch {
	case p == "/rest/api/2/serverInfo":
		op = "serverInfo"
	case p == "/rest/api/2/search":
		op = "search2"
	case p == "/rest/api/3/search/jql":
		op = "search3"
	case p == "/rest/api/2/issue":
		op = "create"
	case p == "/rest/api/2/issue/bulk":
		op = "bulk"
	default:
		if m := reIssuePath.FindStringSubmatch(p); m != nil {
			key = m[1]
			op = m[2]
			if op == "transitions" && r.Method == http.MethodPost {
				op = "transition"
			}
		}
	}
	j.mu.Lock()
	j.calls[op]++
	j.paths = append(j.paths, r.Method+" "+p)
	var f Fault
	faulted := false
	if q := j.faults[op]; len(q) > 0 {
		f, faulted = q[0], true
		j.faults[op] = q[1:]
	}
	j.mu.Unlock()

	user, pass, ok := r.BasicAuth()
	if !ok || user != j.User || pass != j.Token {
		w.Header().Set("WWW-Authenticate", `Basic realm="protected-area"`)
		jiraError(w, http.StatusUnauthorized, "You are not authenticated. Authentication required to perform this operation.")
		return
	}
	if faulted && f.Delay == 0 {
		if f.Status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		jiraError(w, f.Status, "injected failure")
		return
	}
	switch op {
	case "serverInfo":
		dt := "Server"
		if j.Cloud {
			dt = "Cloud"
		}
		writeJSON(w, 200, map[string]any{"baseUrl": j.Server.URL, "version": "9.12.2", "versionNumbers": []int{9, 12, 2},
			"deploymentType": dt, "buildNumber": 9120002, "serverTitle": "Jira"})
	case "search2":
		if j.Cloud {
			jiraError(w, http.StatusGone, "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			jiraError(w, http.StatusMethodNotAllowed, "method")
			return
		}
		j.search2(w, r)
	case "search3":
		if !j.Cloud {
			http.NotFound(w, r)
			return
		}
		j.search3(w, r)
	case "bulk":
		j.bulk(w, r)
	case "create":
		var body struct {
			Fields map[string]any `json:"fields"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			jiraError(w, 400, "bad json")
			return
		}
		is, errs := j.validate(body.Fields)
		if len(errs) > 0 {
			writeJSON(w, 400, map[string]any{"errorMessages": []string{}, "errors": errs})
			return
		}
		j.mu.Lock()
		j.add(is)
		j.mu.Unlock()
		writeJSON(w, 201, map[string]any{"id": is.ID, "key": is.Key, "self": j.Server.URL + "/rest/api/2/issue/" + is.ID})
	case "comment":
		j.comment(w, r, key)
	case "transitions":
		if j.find(key) == nil {
			jiraError(w, 404, "Issue does not exist or you do not have permission to see it.")
			return
		}
		writeJSON(w, 200, map[string]any{"expand": "transitions", "transitions": []map[string]any{
			{"id": "11", "name": "To Do", "to": map[string]any{"name": "To Do", "id": "10000", "statusCategory": map[string]any{"key": "new"}}},
			{"id": "31", "name": "Done", "to": map[string]any{"name": "Done", "id": "10002", "statusCategory": map[string]any{"key": "done"}}},
		}})
	case "transition":
		var body struct {
			Transition struct {
				ID string `json:"id"`
			} `json:"transition"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		j.mu.Lock()
		is := j.findLocked(key)
		if is != nil {
			switch body.Transition.ID {
			case "31":
				is.Status = "Done"
			case "11":
				is.Status = "To Do"
			}
		}
		j.mu.Unlock()
		if is == nil {
			jiraError(w, 404, "Issue does not exist or you do not have permission to see it.")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		jiraError(w, 404, "not found: "+p)
	}
}

func (j *Jira) find(key string) *JiraIssue {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.findLocked(key)
}

func (j *Jira) findLocked(key string) *JiraIssue {
	for _, is := range j.issues {
		if is.Key == key {
			return is
		}
	}
	return nil
}

func (j *Jira) comment(w http.ResponseWriter, r *http.Request, key string) {
	var body struct {
		Body string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Body == "" {
		jiraError(w, 400, "Comment body can not be empty!")
		return
	}
	j.mu.Lock()
	is := j.findLocked(key)
	if is != nil {
		is.Comments = append(is.Comments, body.Body)
	}
	n := 0
	if is != nil {
		n = len(is.Comments)
	}
	j.mu.Unlock()
	if is == nil {
		jiraError(w, 404, "Issue does not exist or you do not have permission to see it.")
		return
	}
	writeJSON(w, 201, map[string]any{"self": fmt.Sprintf("%s/rest/api/2/issue/%s/comment/%d", j.Server.URL, is.ID, 10000+n),
		"id": strconv.Itoa(10000 + n), "body": body.Body, "created": "2025-01-01T00:00:00.000+0000"})
}

// validate mirrors Jira's create checks for the fields the notifier sends.
func (j *Jira) validate(f map[string]any) (*JiraIssue, map[string]string) {
	errs := map[string]string{}
	is := &JiraIssue{}
	str := func(m any, k string) string {
		mm, _ := m.(map[string]any)
		s, _ := mm[k].(string)
		return s
	}
	if is.Project = str(f["project"], "key"); is.Project != j.Project {
		errs["project"] = "valid project is required"
	}
	if is.IssueType = str(f["issuetype"], "name"); is.IssueType == "" {
		errs["issuetype"] = "Specify an issue type"
	}
	is.Summary, _ = f["summary"].(string)
	if is.Summary == "" || len(is.Summary) > 255 {
		errs["summary"] = "You must specify a summary of the issue."
	}
	is.Description, _ = f["description"].(string)
	is.Priority = str(f["priority"], "name")
	switch is.Priority {
	case "", "Highest", "High", "Medium", "Low", "Lowest":
	default:
		errs["priority"] = "Specify the Priority (id or name) in the proper format"
	}
	if ls, ok := f["labels"].([]any); ok {
		for _, l := range ls {
			s, _ := l.(string)
			if s == "" || strings.ContainsAny(s, " \t") {
				errs["labels"] = "The label '" + s + "' contains spaces which is invalid."
			}
			is.Labels = append(is.Labels, s)
		}
	}
	return is, errs
}

func (j *Jira) bulk(w http.ResponseWriter, r *http.Request) {
	var body struct {
		IssueUpdates []struct {
			Fields map[string]any `json:"fields"`
		} `json:"issueUpdates"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		jiraError(w, 400, "bad json")
		return
	}
	var issues, errors []map[string]any
	j.mu.Lock()
	for i, u := range body.IssueUpdates {
		is, errs := j.validate(u.Fields)
		if len(errs) > 0 {
			errors = append(errors, map[string]any{"status": 400, "failedElementNumber": i,
				"elementErrors": map[string]any{"errorMessages": []string{}, "errors": errs}})
			continue
		}
		j.add(is)
		issues = append(issues, map[string]any{"id": is.ID, "key": is.Key, "self": j.Server.URL + "/rest/api/2/issue/" + is.ID})
	}
	j.mu.Unlock()
	status := 201
	if len(issues) == 0 && len(errors) > 0 {
		status = 400
	}
	if issues == nil {
		issues = []map[string]any{}
	}
	if errors == nil {
		errors = []map[string]any{}
	}
	writeJSON(w, status, map[string]any{"issues": issues, "errors": errors})
}

// query evaluates the JQL shape the notifier sends: project = "X" AND
// labels in (...) [AND statusCategory != Done].
func (j *Jira) query(jql string) ([]*JiraIssue, error) {
	pm := reProject.FindStringSubmatch(jql)
	lm := reLabelsIn.FindStringSubmatch(jql)
	if pm == nil || lm == nil {
		return nil, fmt.Errorf("unsupported JQL %q", jql)
	}
	want := map[string]bool{}
	for _, q := range reQuoted.FindAllStringSubmatch(lm[1], -1) {
		want[q[1]] = true
	}
	openOnly := strings.Contains(jql, "statusCategory != Done")
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []*JiraIssue
	for _, is := range j.issues {
		if is.Project != pm[1] || (openOnly && is.Status == "Done") {
			continue
		}
		for _, l := range is.Labels {
			if want[l] {
				c := *is
				out = append(out, &c)
				break
			}
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out, nil
}

func (j *Jira) issueJSON(is *JiraIssue) map[string]any {
	cat := "new"
	if is.Status == "Done" {
		cat = "done"
	}
	return map[string]any{"expand": "", "id": is.ID, "key": is.Key, "self": j.Server.URL + "/rest/api/2/issue/" + is.ID,
		"fields": map[string]any{"labels": is.Labels, "status": map[string]any{"name": is.Status,
			"statusCategory": map[string]any{"key": cat}}}}
}

func (j *Jira) search2(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	found, err := j.query(q.Get("jql"))
	if err != nil {
		jiraError(w, 400, err.Error())
		return
	}
	start, _ := strconv.Atoi(q.Get("startAt"))
	max, _ := strconv.Atoi(q.Get("maxResults"))
	if max <= 0 || max > j.PageSize {
		max = j.PageSize
	}
	start = min(start, len(found))
	end := min(start+max, len(found))
	var issues []map[string]any
	for _, is := range found[start:end] {
		issues = append(issues, j.issueJSON(is))
	}
	writeJSON(w, 200, map[string]any{"expand": "schema,names", "startAt": start, "maxResults": max, "total": len(found), "issues": issues})
}

func (j *Jira) search3(w http.ResponseWriter, r *http.Request) {
	var req struct {
		JQL           string   `json:"jql"`
		MaxResults    int      `json:"maxResults"`
		NextPageToken string   `json:"nextPageToken"`
		Fields        []string `json:"fields"`
	}
	if r.Method == http.MethodPost {
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			jiraError(w, 400, "bad json")
			return
		}
	} else {
		q := r.URL.Query()
		req.JQL, req.NextPageToken = q.Get("jql"), q.Get("nextPageToken")
		req.MaxResults, _ = strconv.Atoi(q.Get("maxResults"))
	}
	found, err := j.query(req.JQL)
	if err != nil {
		jiraError(w, 400, err.Error())
		return
	}
	start := 0
	if req.NextPageToken != "" {
		s, err := strconv.Atoi(strings.TrimPrefix(req.NextPageToken, "tok-"))
		if err != nil {
			jiraError(w, 400, "invalid nextPageToken")
			return
		}
		start = min(s, len(found))
	}
	max := req.MaxResults
	if max <= 0 || max > j.PageSize {
		max = j.PageSize
	}
	end := min(start+max, len(found))
	var issues []map[string]any
	for _, is := range found[start:end] {
		m := j.issueJSON(is)
		if len(req.Fields) == 0 {
			delete(m, "fields") // the enhanced search returns IDs only by default
		}
		issues = append(issues, m)
	}
	resp := map[string]any{"issues": issues, "isLast": end >= len(found)}
	if end < len(found) {
		resp["nextPageToken"] = "tok-" + strconv.Itoa(end)
	}
	writeJSON(w, 200, resp)
}
