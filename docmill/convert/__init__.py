"""Format converters used by the content stages (extract, markdown, thumbnail, preview).

One module per job: `pdf`, `office` (MarkItDown), `sheets`, `text` and `encoding`, `html`, `rtf`, `email`,
`archive`, `images`, `ffmpeg`, `libreoffice`, plus `zipsafe` (bomb and XML-entity checks) and `limits`.
They parse untrusted files, so the stages call them from `run()`, which the worker executes in a
sandboxed child process.
"""
