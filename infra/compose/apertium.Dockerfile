# Apertium APY with English<->Spanish from Debian, as `wire infra up` runs it on a laptop. In a
# container it listens on every interface of the container network (compose publishes it on
# 127.0.0.1 only).
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends apertium apertium-eng-spa apertium-apy python3 \
 && rm -rf /var/lib/apt/lists/*
COPY infra/apertium/apy-loopback.py /usr/local/bin/apy-loopback.py
ENV LANG=C.UTF-8 LC_ALL=C.UTF-8 PYTHONUNBUFFERED=1
EXPOSE 2737
CMD ["/usr/bin/python3", "/usr/local/bin/apy-loopback.py", "--host", "0.0.0.0", "-p", "2737", "-t", "60", "-i", "2", "/usr/share/apertium/modes"]
