// Package outbox queues and sends Sesame's messages (R-MSG-2). Enqueue
// renders a message template (internal/message) in the recipient's
// language and writes it to the outbox table with the transaction of the
// change that causes it; addresses marked undeliverable (virtual
// marketplace addresses, seed 002) are recorded as skipped and audited
// instead. The Worker, started by `sesame serve` on every node, claims
// due messages with a lease (storage.Outbox: FOR UPDATE SKIP LOCKED on
// PostgreSQL, the single writer on SQLite), hands them to the channel's
// Sender (internal/message/smtp, internal/message/sms), marks them sent,
// and retries failures with exponential backoff up to a maximum number of
// attempts, after which the message is failed and audited.
package outbox
