"""Speech to text: the STT service, its model backends, and the client the stt stage uses.

Modules: `audio` (ffmpeg probing and decoding), `models` (the Whisper models inside pip packages),
`backends` (faster-whisper, Vosk), `vad` (seconds of speech), `confidence` (flags and the note for a transcript
that cannot be trusted), `service` (the FastAPI app, `create_stt_app`), `schemas` (its request and response
bodies), `client` (HTTP client for workers). The vocabulary the rest of docmill shares (flags, language
sources, language codes) is `docmill.transcripts`.
Importing this package loads no model and no speech library.
"""
