-- Fresh roles without a new login, beyond the session (issue 10 item 6):
-- the connector's upstream state (refresh token, ID token; sealed) is also
-- kept on the identity link, so a Sesame refresh token that outlives its
-- SSO session still refreshes at the IdP instead of failing.
-- +goose Up
ALTER TABLE identity_links ADD COLUMN upstream TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE identity_links DROP COLUMN upstream;
