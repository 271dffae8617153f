package fault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/model"
)

func TestStorage(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{fmt.Errorf("get: %w", model.ErrNotFound), false},
		{model.Invalid("x", "bad"), false},
		{model.ErrReused, false},
		{errors.New("dial tcp: connection refused"), true},
		{fmt.Errorf("query: %w", context.Canceled), true},
	} {
		if got := Storage(c.err); got != c.want {
			t.Errorf("Storage(%v) = %v", c.err, got)
		}
	}
}

// TestLogLevel: a failure is logged at ERROR, a cancelled request below.
func TestLogLevel(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	Log(context.Background(), log, "load", errors.New("connection refused"))
	if !strings.Contains(buf.String(), "level=ERROR") {
		t.Errorf("failure not at ERROR: %s", buf.String())
	}
	buf.Reset()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	Log(ctx, log, "load", fmt.Errorf("query: %w", context.Canceled))
	if strings.Contains(buf.String(), "level=ERROR") || !strings.Contains(buf.String(), "cancelled") {
		t.Errorf("cancelled request: %s", buf.String())
	}
}
