module github.com/crewjam/saml

go 1.25.0

require (
	github.com/beevik/etree v1.8.1
	github.com/golang-jwt/jwt/v5 v5.3.1
	github.com/google/go-cmp v0.7.0
	github.com/russellhaering/goxmldsig v1.6.1
	golang.org/x/crypto v0.55.0
	gotest.tools/v3 v3.5.2
)

require github.com/jonboulle/clockwork v0.5.0 // indirect
