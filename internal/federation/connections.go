package federation

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

// Opener opens the protocol side of a connection — a connector
// (internal/connector/…) — from its stored settings and its opened client
// secret.
type Opener[T any] func(ctx context.Context, c model.Connection, secret string) (T, error)

// Connections opens connectors from stored connections and reopens one
// when its Version changed (dex server/connectors.go keys its cache on the
// ResourceVersion the same way; DESIGN note 2). The connection row is read
// on every Get (one primary-key read), so a change made on another node
// is seen at once. T is the connector type (connector.Connector).
type Connections[T any] struct {
	Dir  *directory.Service
	Open Opener[T]

	mu     sync.Mutex
	opened map[string]openedConn[T]
}

type openedConn[T any] struct {
	version int64
	conn    T
}

// ErrDisabled answers Get for a connection that exists but is switched
// off.
var ErrDisabled = model.Errorf(model.EFORBIDDEN, "connection", "this sign-in method is switched off")

// OpenError is Get's answer for a connection that exists but whose
// connector cannot be opened (its settings, its keys).
type OpenError struct {
	ID  string
	Err error
}

func (e *OpenError) Error() string { return fmt.Sprintf("open connection %s: %v", e.ID, e.Err) }
func (e *OpenError) Unwrap() error { return e.Err }

// Get returns the connection and its opened connector.
func (cs *Connections[T]) Get(ctx context.Context, id string) (model.Connection, T, error) {
	var zero T
	c, err := cs.Dir.Connection(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		cs.mu.Lock()
		delete(cs.opened, id)
		cs.mu.Unlock()
	}
	if err != nil {
		return c, zero, err
	}
	if !c.Enabled {
		return c, zero, ErrDisabled
	}
	cs.mu.Lock()
	o, ok := cs.opened[id]
	cs.mu.Unlock()
	if ok && o.version == c.Version {
		return c, o.conn, nil
	}
	secret, err := cs.Dir.ConnectionSecret(c)
	if err != nil {
		return c, zero, err
	}
	conn, err := cs.Open(ctx, c, secret)
	if err != nil {
		return c, zero, &OpenError{ID: c.ID, Err: err}
	}
	cs.mu.Lock()
	if cs.opened == nil {
		cs.opened = map[string]openedConn[T]{}
	}
	if cur, ok := cs.opened[id]; !ok || cur.version <= c.Version {
		cs.opened[id] = openedConn[T]{version: c.Version, conn: conn}
	}
	cs.mu.Unlock()
	return c, conn, nil
}
