package cache

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestGenServesForgetsAndExpires(t *testing.T) {
	c := New[int](time.Second, 10)
	ctx := t.Context()
	t0 := time.Unix(1000, 0)
	loads := 0
	load := func(v int, err error) func(context.Context) (int, error) {
		return func(context.Context) (int, error) { loads++; return v, err }
	}
	if v, _ := c.Get(ctx, "k", t0, load(1, nil)); v != 1 {
		t.Fatal(v)
	}
	if v, _ := c.Get(ctx, "k", t0.Add(999*time.Millisecond), load(2, nil)); v != 1 || loads != 1 {
		t.Fatalf("within TTL: %d after %d loads", v, loads)
	}
	if v, _ := c.Get(ctx, "k", t0.Add(time.Second), load(2, nil)); v != 2 {
		t.Fatalf("after TTL: %d", v)
	}
	c.Forget()
	if v, _ := c.Get(ctx, "k", t0.Add(time.Second), load(3, nil)); v != 3 {
		t.Fatalf("after Forget: %d", v)
	}
	// Errors (not found) are never cached.
	if _, err := c.Get(ctx, "x", t0, load(0, errors.New("not found"))); err == nil {
		t.Fatal("want error")
	}
	if v, err := c.Get(ctx, "x", t0, load(4, nil)); err != nil || v != 4 {
		t.Fatalf("after a miss: %d %v", v, err)
	}
}

// A value loaded while a Forget happens is not served afterwards.
func TestGenLoadAcrossForget(t *testing.T) {
	c := New[int](time.Hour, 10)
	ctx := t.Context()
	now := time.Unix(1000, 0)
	_, _ = c.Get(ctx, "k", now, func(context.Context) (int, error) { c.Forget(); return 1, nil })
	if v, _ := c.Get(ctx, "k", now, func(context.Context) (int, error) { return 2, nil }); v != 2 {
		t.Fatalf("stale value served: %d", v)
	}
}
