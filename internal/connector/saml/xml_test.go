package saml_test

import (
	"bytes"
	"encoding/xml"
)

func xmlUnmarshal(b []byte, v any) error { return xml.Unmarshal(b, v) }

func xmlMarshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
