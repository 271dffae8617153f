package config

import "sort"

// EnvVar is one environment variable Sesame reads.
type EnvVar struct {
	Name string
	// Sets is the configuration key it overrides, or what it is for when
	// it is not a key (secrets are never written in the file).
	Sets string
}

// processEnv are the variables that are not configuration keys.
var processEnv = map[string]string{
	"SESAME_MASTER_KEY":                       "the master key: base64 of 32 random bytes sealing signing keys and secrets at rest (required on PostgreSQL; the same on every node)",
	"SESAME_BOOTSTRAP_ADMIN_PASSWORD":         "the bootstrap administrator's password on the first start (else one is generated and printed once)",
	"SESAME_PPROF_ADDR":                       "host:port of a profiling listener (/debug/pprof/) for load runs; off when unset",
	"SESAME_SMTP_PASSWORD":                    "the SMTP password (the variable named by smtp.passwordEnv)",
	"SESAME_SMS_AUTH":                         "the SMS gateway's authorization header value (the variable named by sms.authValueEnv)",
	"SESAME_SMTP_HOST":                        "smtp.host",
	"SESAME_SMTP_FROM":                        "smtp.from",
	"SESAME_SMS_URL":                          "sms.url",
	"SESAME_FEDERATION_DENY_PRIVATE_NETWORKS": "federation.denyPrivateNetworks",
	"SESAME_FEDERATION_DECRYPTION_KEY_FILE":   "federation.decryptionKeyFile",
}

// EnvVars lists every environment variable Sesame reads, by name.
func EnvVars() []EnvVar {
	var out []EnvVar
	for _, m := range []map[string]string{Env, ThrottleEnv, PasswordEnv, TwoFactorEnv, TracingEnv, processEnv} {
		for name, key := range m {
			out = append(out, EnvVar{Name: name, Sets: key})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
