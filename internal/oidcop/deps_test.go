package oidcop_test

import (
	_ "github.com/chromedp/chromedp"
	_ "github.com/coreos/go-oidc/v3/oidc"
	_ "golang.org/x/oauth2"
	_ "gopkg.in/cas.v2"
)
