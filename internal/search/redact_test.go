package search

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The endpoint URL may carry the key (Azure's ?api-key=, user-info) and a
// server may echo the Authorization header: no error shows either.
func TestOpenAIErrorsHideKeys(t *testing.T) {
	const key = "sk-Abc123Def456Ghi789Jkl012Mno345"
	const urlSecret = "UrlS3cretValue8899"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":{"message":"bad key `+r.Header.Get("Authorization")+` for `+r.URL.String()+`"}}`, http.StatusUnauthorized)
	}))
	defer echo.Close()
	for _, base := range []string{
		"http://user:" + urlSecret + "@" + dead + "/v1",
		"http://" + dead + "/v1?api-key=" + urlSecret,
		echo.URL + "/v1?api-key=" + urlSecret,
	} {
		e := NewOpenAI(OpenAIOptions{BaseURL: base, APIKey: key, Model: "m", MaxAttempts: 1, MinBackoff: time.Millisecond})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := e.Embed(ctx, []string{"x"})
		cancel()
		if err == nil {
			t.Fatalf("%s: no error", base)
		}
		if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), urlSecret) {
			t.Errorf("secret in error: %v", err)
		}
	}
}
