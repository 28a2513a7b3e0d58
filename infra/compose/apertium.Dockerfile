# Apertium APY with the Debian pairs `wire infra up` uses (APERTIUM_PACKAGES in
# infra/local/apertium.ts), as it runs them on a laptop. In a
# container it listens on every interface of the container network (compose publishes it on
# 127.0.0.1 only).
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends apertium apertium-apy apertium-eng-spa \
      apertium-nno-nob apertium-swe-dan apertium-swe-nor apertium-dan-nor apertium-spa-cat apertium-por-cat \
      apertium-spa-ita apertium-cat-ita apertium-es-gl apertium-es-pt apertium-pt-gl apertium-eng-cat \
      apertium-en-gl apertium-fr-es python3 \
 && rm -rf /var/lib/apt/lists/*
COPY infra/apertium/apy-loopback.py /usr/local/bin/apy-loopback.py
ENV LANG=C.UTF-8 LC_ALL=C.UTF-8 PYTHONUNBUFFERED=1
EXPOSE 2737
CMD ["/usr/bin/python3", "/usr/local/bin/apy-loopback.py", "--host", "0.0.0.0", "-p", "2737", "-t", "60", "-i", "2", "/usr/share/apertium/modes"]
