-- A CAS ticket dies with the SSO session it came from (R-USR-1, issue 8):
-- deleting a session (logout, deactivation, password reset, purge)
-- deletes its service, proxy and proxy-granting tickets in the same
-- statement, so validation needs no second read of the session.
-- +goose Up
CREATE INDEX cas_tickets_session ON cas_tickets(session_id);
-- +goose StatementBegin
CREATE TRIGGER sso_sessions_end_tickets AFTER DELETE ON sso_sessions
BEGIN
    DELETE FROM cas_tickets WHERE session_id = OLD.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER sso_sessions_end_tickets;
DROP INDEX cas_tickets_session;
