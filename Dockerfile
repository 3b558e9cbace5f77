# Outcomes in one image: the pages built with Node, served by the Python app.
#   docker build -t outcomes .
#   docker run -p 8000:8000 -v outcomes-data:/app/var \
#     -e OUTCOMES_PUBLIC_URL=http://HOST:8000 outcomes
# The first start creates the demo meeting and prints its join links (docker logs).

# ---- Stage 1: the frontend (Vite + TypeScript) -------------------------------------------
FROM node:20 AS frontend
WORKDIR /src/frontend
# Dependencies first, so a change to the sources alone reuses this layer.
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# ---- Stage 2: the Python service ----------------------------------------------------------
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango renders the PDF exports (WeasyPrint); the fonts come with the package (app/fonts).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*

# Install the package into site-packages from a throwaway copy of the sources.
# pyproject.toml names README.md as the package's readme, so the build needs it.
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install . && rm -rf /src

WORKDIR /app

# The installed package lives in site-packages, so tell it where the built pages are.
COPY --from=frontend /src/frontend/dist /app/frontend/dist

RUN groupadd --system --gid 10001 outcomes \
    && useradd --system --uid 10001 --gid outcomes --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin outcomes \
    && mkdir -p /app/var \
    && chown outcomes:outcomes /app/var

ENV OUTCOMES_HOST=0.0.0.0 \
    OUTCOMES_PORT=8000 \
    OUTCOMES_DATABASE_URL=sqlite:////app/var/outcomes.db \
    OUTCOMES_FRONTEND_DIST=/app/frontend/dist

# The SQLite database (and anything else the service keeps) lives here.
VOLUME /app/var
EXPOSE 8000
USER outcomes

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/api/health' % os.environ.get('OUTCOMES_PORT', '8000'), timeout=4)"

# Create the demo meeting on an empty database (prints its join links), then serve.
CMD ["sh", "-c", "outcomes demo --if-empty && exec outcomes serve"]
