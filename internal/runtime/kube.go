package runtime

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"
)

// Pods names the pods whose UIDs the cgroup paths carry, from the
// Kubernetes API (the DaemonSet's service account may list pods): events
// then say namespace/name, not only a UID.
type Pods struct {
	base   string // https://host:port
	token  string
	node   string
	client *http.Client
	every  time.Duration

	mu         sync.Mutex
	names      map[string]string // uid -> namespace/name
	last       time.Time
	refreshing bool
}

const serviceAccount = "/var/run/secrets/kubernetes.io/serviceaccount"

// InClusterPods returns a Pods for the cluster the agent runs in, or nil
// when it runs outside Kubernetes.
func InClusterPods(node string) (*Pods, error) {
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return nil, nil
	}
	token, err := os.ReadFile(serviceAccount + "/token")
	if err != nil {
		return nil, fmt.Errorf("service account token: %w", err)
	}
	ca, err := os.ReadFile(serviceAccount + "/ca.crt")
	if err != nil {
		return nil, fmt.Errorf("service account CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("service account CA: no certificate")
	}
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	return NewPods("https://"+net.JoinHostPort(host, port), string(token), node, c), nil
}

// NewPods reads pods of node from the API server at base.
func NewPods(base, token, node string, c *http.Client) *Pods {
	return &Pods{base: base, token: token, node: node, client: c, every: 30 * time.Second, names: map[string]string{}}
}

// Name returns namespace/name of the pod with uid. An unknown UID starts a
// listing of the node's pods in the background (at most every 30s), so the
// event pipeline never waits for the API server: an event of a pod seen for
// the first time may carry only its UID.
func (p *Pods) Name(ctx context.Context, uid string) string {
	if p == nil || uid == "" {
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	name, ok := p.names[uid]
	if ok || p.refreshing || time.Since(p.last) < p.every {
		return name
	}
	p.refreshing = true
	go p.refresh(context.WithoutCancel(ctx))
	return ""
}

// Refresh lists the node's pods now.
func (p *Pods) refresh(ctx context.Context) {
	names, err := p.list(ctx)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last, p.refreshing = time.Now(), false
	if err == nil {
		p.names = names
	}
}

func (p *Pods) list(ctx context.Context) (map[string]string, error) {
	q := url.Values{"fieldSelector": {"spec.nodeName=" + p.node}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/api/v1/pods?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+p.token)
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("list pods: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("list pods: %s", resp.Status)
	}
	var list struct {
		Items []struct {
			Metadata struct {
				UID       string `json:"uid"`
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		} `json:"items"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&list); err != nil {
		return nil, fmt.Errorf("list pods: %w", err)
	}
	out := make(map[string]string, len(list.Items))
	for _, it := range list.Items {
		out[it.Metadata.UID] = it.Metadata.Namespace + "/" + it.Metadata.Name
	}
	return out, nil
}
