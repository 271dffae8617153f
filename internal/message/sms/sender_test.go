package sms_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/message/sms"
	"github.com/sesame-sso/sesame/internal/outbox"
	"github.com/sesame-sso/sesame/internal/storage"
)

// TestFormBodyEscapesValues: in a form body a text with & and = stays one
// value (the text cannot add parameters).
func TestFormBodyEscapesValues(t *testing.T) {
	var got url.Values
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got, _ = url.ParseQuery(string(b))
	}))
	defer gw.Close()
	s, err := sms.New(sms.Config{URL: gw.URL, ContentType: "application/x-www-form-urlencoded", Body: "to={{.To}}&msg={{.Text}}"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), storage.OutboxMessage{To: "+4915112345678", Text: "code 1&to=+1900555&x=y"}); err != nil {
		t.Fatal(err)
	}
	if got.Get("to") != "+4915112345678" || got.Get("msg") != "code 1&to=+1900555&x=y" || len(got) != 2 {
		t.Errorf("gateway got %v", got)
	}
}

// TestHangingGatewayIsRetried: a gateway that does not answer within the
// timeout is a temporary failure (the outbox retries), not a hang.
func TestHangingGatewayIsRetried(t *testing.T) {
	release := make(chan struct{})
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer gw.Close()
	defer close(release)
	s, err := sms.New(sms.Config{URL: gw.URL, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), storage.OutboxMessage{To: "+41791234567", Text: "x"})
	if err == nil || outbox.IsPermanent(err) {
		t.Errorf("hanging gateway: %v", err)
	}
	if _, err := sms.New(sms.Config{URL: gw.URL, Body: "{{.Phone}}"}); err == nil {
		t.Error("a body with an unknown field was accepted")
	}
}
