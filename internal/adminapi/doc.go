// Package adminapi serves the admin REST API under /api/v1 (R-OPS-6): JSON
// in and out, errors as RFC 9457 problem details, the OpenAPI 3 document at
// /api/v1/openapi.json. Callers authenticate with HTTP Basic (a local user's
// login and password); every action is authorized by the directory service
// with the caller's own cas rights in the target context (R-USR-4).
// Bearer access tokens are accepted per route Resource (api.go): the /me
// views take any user token with scope openid, every other route a token
// made for the admin API (sesame:admin, the admin audience), and POST
// /api/v1/authorize only a policy-decision client's own token.
//
// One file per resource: contexts.go, groups.go, templates.go, users.go,
// catalog.go, audit.go, clients.go, apikeys.go, me.go, authorize.go,
// unlock.go, resetaccount.go (POST /api/v1/users/{id}/reset),
// twofactor.go (a user's second-factor settings), messagetemplates.go;
// problem.go and decode.go hold the wire format, openapi.go the OpenAPI
// document built from the route table.
package adminapi
