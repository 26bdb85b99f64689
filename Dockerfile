# One image for web, workers and beat. TORCH_INDEX_URL picks the torch build:
# the CPU wheel index for web and the CPU worker (small image), PyPI's default
# CUDA wheels for the GPU worker (docker-compose.yml builds both tags).
FROM python:3.11-slim

ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MEDIA_ROOT=/data/media \
    HF_HOME=/data/models

RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN if [ -n "$TORCH_INDEX_URL" ]; then \
        pip install --extra-index-url "$TORCH_INDEX_URL" -r requirements.txt; \
    else \
        pip install -r requirements.txt; \
    fi

COPY . .
# Static files are baked into the image and served by WhiteNoise.
RUN python manage.py collectstatic --noinput --skip-checks \
    && useradd --create-home --uid 1000 app \
    && mkdir -p /data/media /data/models /data/beat \
    && chown -R app /data

USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-"]
