// Package conformance is the test suite every storage backend passes (dex's
// storage/conformance is the model): RunTests for behaviour,
// RunConcurrencyTests for lost updates and unique-constraint races. A
// backend's test file is a few lines that call them with a constructor of
// fresh, migrated, empty stores.
package conformance
