# One image for every Huiwu process; compose picks the app with `huiwu serve MODULE:APP`.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HUIWU_DATA_DIR=/var/lib/huiwu

RUN groupadd --system --gid 10001 huiwu \
    && useradd --system --uid 10001 --gid huiwu --no-create-home --shell /usr/sbin/nologin huiwu \
    && mkdir -p /var/lib/huiwu \
    && chown huiwu:huiwu /var/lib/huiwu

WORKDIR /app
COPY pyproject.toml README.md ./
COPY huiwu ./huiwu
COPY services ./services
COPY gateway ./gateway
RUN pip install --no-cache-dir .

USER 10001:10001
EXPOSE 8080
CMD ["huiwu", "serve", "gateway.main:app", "--host", "0.0.0.0", "--port", "8080"]
