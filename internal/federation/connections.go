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
// ResourceVersion the same way; DESIGN note 2). Every Get asks the store
// for the connection's version (one primary-key read of one column), so a
// change made on another node is seen at once; the whole row is read, and
// the connector opened, only when the version moved. T is the connector
// type (connector.Connector).
type Connections[T any] struct {
	Dir  *directory.Service
	Open Opener[T]

	mu     sync.Mutex
	opened map[string]openedConn[T]
}

type openedConn[T any] struct {
	conn model.Connection // as read when opened; its Version is the key
	open T
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

// Get returns the connection and its opened connector. The connection is
// shared with the cache: callers read it and do not change it.
func (cs *Connections[T]) Get(ctx context.Context, id string) (model.Connection, T, error) {
	return cs.GetKind(ctx, id, "")
}

// GetKind is Get for a connection of one kind ("" any): a connection of
// another kind is ErrNotFound, and is never opened (a SAML endpoint named
// with an OIDC connection's id does not make Sesame fetch its discovery
// document).
func (cs *Connections[T]) GetKind(ctx context.Context, id string, kind string) (model.Connection, T, error) {
	var zero T
	cs.mu.Lock()
	o, cached := cs.opened[id]
	cs.mu.Unlock()
	if cached {
		v, err := cs.Dir.ConnectionVersion(ctx, id)
		switch {
		case errors.Is(err, model.ErrNotFound):
			cs.forget(id)
			return model.Connection{}, zero, err
		case err != nil:
			return model.Connection{}, zero, err
		case v == o.conn.Version:
			// Only enabled connections are opened, and switching one off
			// bumps its version.
			if kind != "" && o.conn.Kind != kind {
				return o.conn, zero, model.ErrNotFound
			}
			return o.conn, o.open, nil
		}
	}
	c, err := cs.Dir.Connection(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		cs.forget(id)
	}
	if err != nil {
		return c, zero, err
	}
	if kind != "" && c.Kind != kind {
		return c, zero, model.ErrNotFound
	}
	if !c.Enabled {
		cs.forget(id)
		return c, zero, ErrDisabled
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
	if cur, ok := cs.opened[id]; !ok || cur.conn.Version <= c.Version {
		cs.opened[id] = openedConn[T]{conn: c, open: conn}
	}
	cs.mu.Unlock()
	return c, conn, nil
}

func (cs *Connections[T]) forget(id string) {
	cs.mu.Lock()
	delete(cs.opened, id)
	cs.mu.Unlock()
}
