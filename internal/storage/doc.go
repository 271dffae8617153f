// Package storage defines the one interface every Sesame store implements
// (dex's storage.Storage is the model). Backends live in sub-packages; the
// conformance suite in storage/conformance runs against each of them.
//
// Errors: a missing row is model.ErrNotFound, a unique-constraint violation
// model.ErrAlreadyExists (both wrapped with context; test with errors.Is).
// Updates take a function that receives the current value inside a
// transaction and returns the new one, so read-modify-write never loses an
// update under concurrency.
package storage
