"""Users, password hashing, login sessions and API tokens. Secrets are stored only as hashes.

Modules: `passwords` (argon2), `secrets` (random tokens and their digests), `users`, `sessions` (cookie
logins), `tokens` (API tokens for scripts), `service` (what the api and the CLI call).
"""
