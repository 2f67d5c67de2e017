"""Mail ingestion over IMAP, polled by the collector.

`types` (the vocabulary and the errors), `crypto` (passwords encrypted with the data dir's key),
`connection` (a safe IMAP connection: the collector's address rules, TLS or STARTTLS, a custom CA, one
clear error per failure), `mime` (what a message says and carries), `rules` (the filters), `service`
(accounts and rules: add, list, change, remove, test), `poll` (reading an account's folders into
documents, once each) and `idle` (IMAP IDLE watchers that make a poll happen as soon as mail arrives).
"""
