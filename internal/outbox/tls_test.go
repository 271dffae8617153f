package outbox_test

import "crypto/tls"

func tlsTrusting(ms *mailServer) *tls.Config {
	return &tls.Config{RootCAs: ms.roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}
