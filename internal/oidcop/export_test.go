package oidcop

// SignatureChecks is how many access token signatures p verified.
func (p *Provider) SignatureChecks() uint64 { return p.sigChecks.Load() }
