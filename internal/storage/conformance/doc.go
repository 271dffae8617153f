// Package conformance is the test suite every storage backend passes (dex's
// storage/conformance is the model): RunTests for behaviour,
// RunConcurrencyTests for lost updates and unique-constraint races. A
// backend's test file is a few lines that call them with a constructor of
// fresh, migrated, empty stores.
//
// One file per storage area, as in internal/storage: directory.go (contexts,
// catalog, groups, templates, policy, domains, users, clients and their
// races), apikeys.go, identity.go, sessions.go, sessionactivity.go, cas.go,
// oauth.go, usergrants.go, audit.go, auditbatch.go, throttle.go;
// conformance.go holds the runners, cross-area transactions and helpers.
// A new area adds its file and one line in RunTests/RunConcurrencyTests.
package conformance
