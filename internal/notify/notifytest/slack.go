package notifytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is a canned failure for the next call of a method.
type Fault struct {
	Status     int           // HTTP status; 429 sends Retry-After and {"ok":false,"error":"ratelimited"}
	RetryAfter int           // seconds, with Status 429
	Error      string        // with Status 0 or 200: {"ok":false,"error":Error}
	Delay      time.Duration // accept the call, then stall this long before answering (client timeout); Slack fake only
}

// SlackMessage is a message the fake accepted.
type SlackMessage struct {
	Channel  string
	TS       string
	Text     string
	Blocks   []map[string]any
	Metadata *SlackMetadata
	Webhook  bool
}

// SlackMetadata is chat.postMessage's metadata argument.
type SlackMetadata struct {
	EventType    string         `json:"event_type"`
	EventPayload map[string]any `json:"event_payload"`
}

// Slack fakes chat.postMessage, conversations.history and an incoming
// webhook. One channel exists: ChannelID, also reachable as ChannelName.
type Slack struct {
	Server      *httptest.Server
	Token       string
	ChannelID   string
	ChannelName string

	mu       sync.Mutex
	messages []SlackMessage
	calls    map[string]int
	faults   map[string][]Fault
	ts       int64 // last message timestamp, µs
}

// NewSlack starts a fake Slack; it stops with the test.
func NewSlack(t testing.TB) *Slack {
	s := &Slack{Token: "xoxb-test-token", ChannelID: "C0123ABCDEF", ChannelName: "#mlbom-alerts",
		calls: map[string]int{}, faults: map[string][]Fault{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Server.Close)
	return s
}

// APIURL is the value for Options.SlackAPIURL.
func (s *Slack) APIURL() string { return s.Server.URL + "/api/" }

// WebhookURL is an incoming webhook on the fake.
func (s *Slack) WebhookURL() string { return s.Server.URL + "/services/T000/B000/XXXXXXXX" }

// nextTS returns a Slack timestamp ("1503435956.000247": seconds.micros)
// from the wall clock, strictly increasing. Callers hold s.mu.
func (s *Slack) nextTS() string {
	s.ts = max(s.ts+1, time.Now().UnixMicro())
	return fmt.Sprintf("%d.%06d", s.ts/1e6, s.ts%1e6)
}

// Inject queues faults for the next calls of method ("chat.postMessage",
// "conversations.history", "webhook").
func (s *Slack) Inject(method string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], faults...)
}

// Messages returns the accepted messages.
func (s *Slack) Messages() []SlackMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SlackMessage(nil), s.messages...)
}

// Calls returns how many requests method received, faults included.
func (s *Slack) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

func (s *Slack) nextFault(method string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
	q := s.faults[method]
	if len(q) == 0 {
		return Fault{}, false
	}
	s.faults[method] = q[1:]
	return q[0], true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Slack) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/services/") {
		s.webhook(w, r)
		return
	}
	method, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	f, faulted := s.nextFault(method)
	if faulted && f.Delay == 0 {
		switch {
		case f.Status == http.StatusTooManyRequests:
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
			writeJSON(w, 429, map[string]any{"ok": false, "error": "ratelimited"})
		case f.Status >= 500:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(f.Status)
			_, _ = io.WriteString(w, "<html><body>Service Unavailable</body></html>")
		default:
			writeJSON(w, 200, map[string]any{"ok": false, "error": f.Error})
		}
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, 200, map[string]any{"ok": false, "error": "invalid_form_data"})
		return
	}
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if tok == "" {
		tok = r.PostForm.Get("token")
	}
	if tok == "" {
		writeJSON(w, 200, map[string]any{"ok": false, "error": "not_authed"})
		return
	}
	if tok != s.Token {
		writeJSON(w, 200, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	var resp any
	switch method {
	case "chat.postMessage":
		resp = s.postMessage(r.PostForm)
	case "conversations.history":
		resp = s.history(r.PostForm)
	default:
		resp = map[string]any{"ok": false, "error": "unknown_method"}
	}
	if faulted && f.Delay > 0 {
		// The call took effect; the answer is lost to a client timeout.
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return
		}
	}
	writeJSON(w, 200, resp)
}

func (s *Slack) postMessage(form url.Values) any {
	ch := form.Get("channel")
	if ch == s.ChannelName || ch == strings.TrimPrefix(s.ChannelName, "#") {
		ch = s.ChannelID
	}
	if ch != s.ChannelID {
		return map[string]any{"ok": false, "error": "channel_not_found"}
	}
	m := SlackMessage{Channel: ch, Text: form.Get("text")}
	if b := form.Get("blocks"); b != "" {
		if err := json.Unmarshal([]byte(b), &m.Blocks); err != nil {
			return map[string]any{"ok": false, "error": "invalid_blocks_format"}
		}
	}
	if md := form.Get("metadata"); md != "" {
		m.Metadata = &SlackMetadata{}
		if err := json.Unmarshal([]byte(md), m.Metadata); err != nil || m.Metadata.EventType == "" {
			return map[string]any{"ok": false, "error": "invalid_metadata_format"}
		}
	}
	if m.Text == "" && len(m.Blocks) == 0 {
		return map[string]any{"ok": false, "error": "no_text"}
	}
	s.mu.Lock()
	m.TS = s.nextTS()
	s.messages = append(s.messages, m)
	s.mu.Unlock()
	return map[string]any{"ok": true, "channel": ch, "ts": m.TS, "message": map[string]any{
		"type": "message", "subtype": "bot_message", "text": m.Text, "ts": m.TS, "bot_id": "B0123456", "username": "mlbom",
	}}
}

// history answers newest first, like Slack; metadata only with include_all_metadata.
func (s *Slack) history(form url.Values) any {
	if form.Get("channel") != s.ChannelID {
		return map[string]any{"ok": false, "error": "channel_not_found"}
	}
	limit, _ := strconv.Atoi(form.Get("limit"))
	if limit <= 0 || limit > 999 {
		limit = 100
	}
	oldest, _ := strconv.ParseFloat(form.Get("oldest"), 64)
	withMeta := form.Get("include_all_metadata") == "1" || form.Get("include_all_metadata") == "true"
	s.mu.Lock()
	var msgs []SlackMessage
	for _, m := range s.messages {
		ts, _ := strconv.ParseFloat(m.TS, 64)
		if !m.Webhook && ts >= oldest {
			msgs = append(msgs, m)
		}
	}
	s.mu.Unlock()
	sort.Slice(msgs, func(i, j int) bool { return msgs[i].TS > msgs[j].TS })
	start, _ := strconv.Atoi(form.Get("cursor"))
	if start > len(msgs) {
		start = len(msgs)
	}
	end := min(start+limit, len(msgs))
	var out []map[string]any
	for _, m := range msgs[start:end] {
		om := map[string]any{"type": "message", "subtype": "bot_message", "text": m.Text, "ts": m.TS, "bot_id": "B0123456"}
		if withMeta && m.Metadata != nil {
			om["metadata"] = m.Metadata
		}
		out = append(out, om)
	}
	resp := map[string]any{"ok": true, "messages": out, "has_more": end < len(msgs), "pin_count": 0,
		"response_metadata": map[string]any{"next_cursor": ""}}
	if end < len(msgs) {
		resp["response_metadata"] = map[string]any{"next_cursor": strconv.Itoa(end)}
	}
	return resp
}

// webhook answers like hooks.slack.com: "ok" as text/plain, errors as text.
func (s *Slack) webhook(w http.ResponseWriter, r *http.Request) {
	f, faulted := s.nextFault("webhook")
	if faulted && f.Delay == 0 {
		if f.Status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		status := f.Status
		if status == 0 {
			status = http.StatusForbidden
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, f.Error)
		return
	}
	var body struct {
		Text   string           `json:"text"`
		Blocks []map[string]any `json:"blocks"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "invalid_payload")
		return
	}
	s.mu.Lock()
	s.messages = append(s.messages, SlackMessage{Text: body.Text, Blocks: body.Blocks, TS: s.nextTS(), Webhook: true})
	s.mu.Unlock()
	if faulted && f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, "ok")
}
