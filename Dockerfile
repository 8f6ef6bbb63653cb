# The innograph API for a server deployment (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY innograph ./innograph
COPY graph ./graph
COPY ingest ./ingest
COPY queries ./queries
COPY api ./api
RUN pip install --no-cache-dir . && useradd --system --home /app innograph
USER innograph
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --retries=5 CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status == 200 else 1)"
CMD ["innograph", "serve", "--host", "0.0.0.0", "--port", "8000"]
