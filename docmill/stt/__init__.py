"""Speech to text: the STT service (DESIGN.md section 6), its model backends, and the client the stt stage uses.

Modules: `audio` (ffmpeg probing and decoding), `backends` (faster-whisper, Vosk), `service` (the FastAPI
app, `create_stt_app`), `schemas` (its request and response bodies), `client` (HTTP client for workers).
Importing this package loads no model and no speech library.
"""
