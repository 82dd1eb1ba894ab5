// Command load sends AdmissionReviews to a webhook over TLS from N
// concurrent clients (each with its own keep-alive connection, as API
// server replicas hold theirs) and reports decision latency percentiles.
//
//	load -url https://127.0.0.1:8443/validate -ca webhook.crt -c 200 -n 20000 FIXTURE.json...
package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	url := flag.String("url", "https://127.0.0.1:8443/validate", "webhook URL")
	ca := flag.String("ca", "", "CA certificate (the webhook's self-signed certificate)")
	conc := flag.Int("c", 200, "concurrent clients")
	total := flag.Int("n", 20000, "reviews in all")
	warm := flag.Int("warmup", 1000, "reviews sent first and not measured")
	rate := flag.Float64("rate", 0, "open loop: start this many reviews per second (latency counted from the scheduled start, so queueing shows); 0: closed loop, each client sends as soon as its last answer came")
	flag.Parse()
	if flag.NArg() == 0 || *ca == "" {
		fmt.Fprintln(os.Stderr, "usage: load -ca CERT [-url U] [-c 200] [-n 20000] FIXTURE.json...")
		os.Exit(2)
	}
	caPEM, err := os.ReadFile(*ca)
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	// Each fixture is split around its request uid once, so a review costs
	// the client a concatenation, not a JSON round trip: on a small machine
	// the client shares the CPU with the server it measures.
	var bodies [][2][]byte
	for _, f := range flag.Args() {
		b, err := os.ReadFile(f)
		if err != nil {
			panic(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			panic(fmt.Sprintf("%s: %v", f, err))
		}
		const mark = "UID-GOES-HERE"
		doc["request"].(map[string]any)["uid"] = mark
		b, _ = json.Marshal(doc)
		pre, post, _ := bytes.Cut(b, []byte(mark))
		bodies = append(bodies, [2][]byte{pre, post})
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "mlbom-admission.mlbom.svc"}, MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc}}

	// Each review gets a fresh uid, as every API server request does.
	var seq atomic.Int64
	send := func(i int, start time.Time) (time.Duration, bool) {
		parts := bodies[i%len(bodies)]
		body := make([]byte, 0, len(parts[0])+len(parts[1])+24)
		body = append(body, parts[0]...)
		body = strconv.AppendInt(append(body, "load-"...), seq.Add(1), 10)
		body = append(body, parts[1]...)
		resp, err := client.Post(*url, "application/json", bytes.NewReader(body))
		if err != nil {
			return time.Since(start), false
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return time.Since(start), resp.StatusCode == http.StatusOK
	}

	run := func(n int, record bool) []time.Duration {
		var mu sync.Mutex
		lat := make([]time.Duration, 0, n)
		var next atomic.Int64
		var failed atomic.Int64
		var wg sync.WaitGroup
		// Open loop: a scheduler hands out start times; clients take them.
		var sched chan time.Time
		if *rate > 0 {
			sched = make(chan time.Time, n)
			go func() {
				t0 := time.Now()
				for k := 0; k < n; k++ {
					at := t0.Add(time.Duration(float64(k) / *rate * float64(time.Second)))
					time.Sleep(time.Until(at))
					sched <- at
				}
				close(sched)
			}()
		}
		for w := 0; w < *conc; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= n {
						return
					}
					start := time.Now()
					if sched != nil {
						at, ok := <-sched
						if !ok {
							return
						}
						start = at
					}
					d, ok := send(i, start)
					if !ok {
						failed.Add(1)
					}
					if record {
						mu.Lock()
						lat = append(lat, d)
						mu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
		if failed.Load() > 0 {
			fmt.Fprintf(os.Stderr, "%d requests failed\n", failed.Load())
		}
		return lat
	}
	run(*warm, false)
	start := time.Now()
	lat := run(*total, true)
	elapsed := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	mode := "closed loop"
	if *rate > 0 {
		mode = fmt.Sprintf("open loop at %.0f reviews/s offered", *rate)
	}
	fmt.Printf("reviews %d, %d connections, %s: %.0f reviews/s answered\n", len(lat), *conc, mode, float64(len(lat))/elapsed.Seconds())
	fmt.Printf("latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		ms(pct(0.50)), ms(pct(0.90)), ms(pct(0.99)), ms(lat[len(lat)-1]))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
