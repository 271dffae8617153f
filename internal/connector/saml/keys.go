package saml

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"
)

// SPKeyBits is the size of generated SP keys (seed 000: RSA ≥ 2048).
const SPKeyBits = 2048

// SPCertValidity is how long a generated SP certificate is valid. IdPs
// pin the certificate from the SP metadata, not a chain: the dates matter
// only to IdPs that check them, and a rotation replaces the key anyway.
const SPCertValidity = 10 * 365 * 24 * time.Hour

// GenerateKeyPair makes a new SP key: RSA 2048 with a self-signed
// certificate naming entityID (R-SAML-1: every connection has its own).
func GenerateKeyPair(entityID string, now time.Time) (KeyPair, error) {
	k, err := rsa.GenerateKey(rand.Reader, SPKeyBits)
	if err != nil {
		return KeyPair{}, fmt.Errorf("saml: SP key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return KeyPair{}, fmt.Errorf("saml: SP key: %w", err)
	}
	cn := entityID
	if len(cn) > 64 { // X.520 ub-common-name
		cn = cn[:64]
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    now.Add(-time.Hour).UTC(),
		NotAfter:     now.Add(SPCertValidity).UTC(),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		return KeyPair{}, fmt.Errorf("saml: SP certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return KeyPair{}, fmt.Errorf("saml: SP certificate: %w", err)
	}
	return KeyPair{Key: k, Cert: cert}, nil
}

// MarshalPEM encodes the pair: the key as PKCS #8, the certificate as
// X.509, both PEM.
func (p KeyPair) MarshalPEM() (keyPEM, certPEM []byte, err error) {
	der, err := x509.MarshalPKCS8PrivateKey(p.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("saml: SP key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Cert.Raw}), nil
}

// ParseKeyPair reads what MarshalPEM wrote and checks that the
// certificate is the key's.
func ParseKeyPair(keyPEM, certPEM []byte) (KeyPair, error) {
	kb, _ := pem.Decode(keyPEM)
	cb, _ := pem.Decode(certPEM)
	if kb == nil || cb == nil {
		return KeyPair{}, fmt.Errorf("saml: SP key pair: not PEM")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return KeyPair{}, fmt.Errorf("saml: SP key: %w", err)
	}
	k, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return KeyPair{}, fmt.Errorf("saml: SP key: not RSA")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return KeyPair{}, fmt.Errorf("saml: SP certificate: %w", err)
	}
	if pub, ok := cert.PublicKey.(*rsa.PublicKey); !ok || !pub.Equal(&k.PublicKey) {
		return KeyPair{}, fmt.Errorf("saml: SP certificate is not the key's")
	}
	return KeyPair{Key: k, Cert: cert}, nil
}
