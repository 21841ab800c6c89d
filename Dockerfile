# The agent as a container image: a sidecar beside the service it watches.
#
#   docker build -t agent .
#   docker run --rm -p 9779:9779 agent
#
# Two stages on Debian 12: the builder installs the -dev packages (deploy/install-deps.sh, the
# same list CI uses) and builds a stripped Release binary; the runtime stage gets only the shared
# libraries behind them (deploy/install-deps.sh --runtime) and runs as an unprivileged user.

FROM debian:12-slim AS builder
WORKDIR /src
# Dependencies first: this layer stays cached until the package list changes.
COPY deploy/install-deps.sh deploy/install-deps.sh
RUN bash deploy/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
# .git is not in the build context: docker build --build-arg REVISION=$(git rev-parse --short HEAD)
ARG REVISION=unknown
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DAGENT_REVISION="${REVISION}" \
      -DAGENT_BUILD_TESTS=OFF -DAGENT_SANITIZE=OFF -DAGENT_WERROR=OFF \
 && cmake --build /build --target agent -j "$(nproc)" \
 && install -D -m 0755 -s /build/bin/agent /out/usr/local/bin/agent \
 && install -D -m 0644 config/agent.yaml /out/etc/agent/agent.yaml

FROM debian:12-slim
COPY deploy/install-deps.sh /tmp/install-deps.sh
RUN bash /tmp/install-deps.sh --runtime \
 && rm -rf /var/lib/apt/lists/* /tmp/install-deps.sh \
 && groupadd --gid 10001 agent \
 && useradd --uid 10001 --gid agent --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin agent
COPY --from=builder /out/ /
# Fail the build, not the first start, when a library the binary needs is missing: those it is
# linked against, and libcurl and libpq, which it opens at first use (not in ldd's list).
RUN if ldd /usr/local/bin/agent | grep 'not found'; then exit 1; fi \
 && for lib in libcurl.so.4 libpq.so.5; do \
      ldconfig -p | grep -q "$lib" || { echo "$lib is missing" >&2; exit 1; }; done
USER 10001:10001
EXPOSE 9779
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/agent", "--check"]
ENTRYPOINT ["/usr/local/bin/agent"]
CMD ["--config", "/etc/agent/agent.yaml"]
