package saml_test

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
)

func xmlUnmarshal(b []byte, v any) error { return xml.Unmarshal(b, v) }

func xmlMarshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func httptestPost(u, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, u, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func httptestGet(u string) *http.Request { return httptest.NewRequest(http.MethodGet, u, nil) }
