package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/mlbom/autopilot/internal/policy"
	"github.com/mlbom/autopilot/internal/redact"
)

// Headers of a generic webhook delivery.
const (
	// SignatureHeader is "sha256=" + hex HMAC-SHA256 of the raw body, keyed
	// with Options.WebhookSecret (absent without a secret).
	SignatureHeader = "X-MLBOM-Signature"
	// DeliveryHeader is the idempotency key: a retried delivery of the same
	// findings carries the same value, so receivers can drop repeats.
	DeliveryHeader = "X-MLBOM-Delivery"
	// EventHeader names the event type, "mlbom.findings".
	EventHeader = "X-MLBOM-Event"
)

const webhookEvent = "mlbom.findings"

// webhookMaxPerDelivery bounds the body size; 100 findings are one delivery.
const webhookMaxPerDelivery = 500

// WebhookPayload is the JSON body of a generic webhook delivery: the
// findings not delivered before, and the scan they came from.
type WebhookPayload struct {
	Event    string           `json:"event"`
	Delivery string           `json:"delivery"`
	Project  string           `json:"project"`
	ScanID   string           `json:"scanId"`
	RunID    string           `json:"runId,omitempty"`
	RunURL   string           `json:"runUrl,omitempty"`
	Verdict  string           `json:"verdict"`
	Version  int              `json:"version,omitempty"`
	Summary  string           `json:"summary,omitempty"`
	Counts   map[string]int   `json:"counts"` // of Findings, by severity
	Findings []policy.Finding `json:"findings"`
}

// Sign returns the SignatureHeader value for body.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature checks a SignatureHeader value in constant time; for
// receivers written in Go.
func VerifySignature(secret, body []byte, header string) bool {
	want := Sign(secret, body)
	return hmac.Equal([]byte(want), []byte(strings.TrimSpace(header)))
}

type webhookChannel struct{ n *Notifier }

func (w *webhookChannel) notify(ctx context.Context, b Batch, open []keyed, cr *ChannelReport, rep *Report) error {
	n := w.n
	if n.opts.DryRun {
		todo, skipped, err := n.unsent(ctx, ChannelWebhook, open)
		if err != nil {
			return err
		}
		cr.Skipped = skipped
		for _, part := range chunk(todo, webhookMaxPerDelivery) {
			rep.Planned = append(rep.Planned, Planned{Channel: ChannelWebhook, Action: "deliver", Target: redact.Endpoint(n.opts.WebhookURL),
				Text: fmt.Sprintf("POST %d finding(s), delivery %s", len(part), batchKey(ChannelWebhook, b.Project, part)), Findings: ids(part)})
		}
		return nil
	}
	var todo []keyed
	for _, k := range open {
		row, claimed, err := n.ledger.ClaimNotification(ctx, k.key, ChannelWebhook, b.ScanID)
		if err != nil {
			return fmt.Errorf("ledger claim %s: %w", k.key, err)
		}
		// A pending claim is re-delivered: the receiver can tell the
		// repeat by its delivery ID, which depends only on the findings.
		if claimed || row.State == StatePending {
			todo = append(todo, k)
		} else {
			cr.Skipped++
		}
	}
	for _, part := range chunk(todo, webhookMaxPerDelivery) {
		id := batchKey(ChannelWebhook, b.Project, part)
		if err := w.deliver(ctx, b, id, part, cr); err != nil {
			return err
		}
		cr.Messages++
		cr.Refs = append(cr.Refs, id)
		for _, k := range part {
			if err := n.ledger.CompleteNotification(ctx, k.key, ChannelWebhook, id, StateSent); err != nil {
				return fmt.Errorf("ledger complete %s (delivery %s was accepted): %w", k.key, id, err)
			}
			cr.Sent++
		}
	}
	return nil
}

func (w *webhookChannel) deliver(ctx context.Context, b Batch, id string, part []keyed, cr *ChannelReport) error {
	n := w.n
	p := WebhookPayload{Event: webhookEvent, Delivery: id, Project: b.Project, ScanID: b.ScanID, RunID: b.RunID,
		RunURL: b.RunURL, Verdict: b.Verdict, Version: b.Version, Summary: b.Summary, Counts: countBySeverity(part)}
	for _, k := range part {
		p.Findings = append(p.Findings, k.f)
	}
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode webhook payload: %w", err)
	}
	return call(ctx, n.opts.MaxRetryAfter, &cr.APICalls, func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.opts.WebhookURL, bytes.NewReader(body))
		if err != nil {
			return permanent(fmt.Errorf("webhook request: %w", err))
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "mlbom-autopilot")
		req.Header.Set(DeliveryHeader, id)
		req.Header.Set(EventHeader, webhookEvent)
		if n.opts.WebhookSecret != "" {
			req.Header.Set(SignatureHeader, Sign([]byte(n.opts.WebhookSecret), body))
		}
		resp, err := n.opts.HTTPClient.Do(req)
		if err != nil {
			return fmt.Errorf("webhook POST: %w", err)
		}
		defer resp.Body.Close()
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		switch c := resp.StatusCode; {
		case c >= 200 && c < 300:
			return nil
		case c == http.StatusTooManyRequests:
			return &rateLimitedError{parseRetryAfter(resp.Header), fmt.Errorf("webhook answered %s", resp.Status)}
		case c == http.StatusRequestTimeout || c >= 500:
			return fmt.Errorf("webhook answered %s: %s", resp.Status, bytes.TrimSpace(msg))
		default:
			return permanent(fmt.Errorf("webhook answered %s (check MLBOM_WEBHOOK_URL and MLBOM_WEBHOOK_SECRET): %s", resp.Status, bytes.TrimSpace(msg)))
		}
	})
}
