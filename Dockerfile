# The sgaudit container image. GoReleaser builds it (dockers_v2 in
# .goreleaser.yaml) from the static binary it has already built for each
# platform: the build context holds <os>/<arch>/sgaudit, nothing is compiled
# here. distroless/static ships the CA certificates the AWS SDK needs and runs
# as the unprivileged user nonroot (65532).
FROM gcr.io/distroless/static-debian12:nonroot
ARG TARGETPLATFORM
COPY --chmod=0555 ${TARGETPLATFORM}/sgaudit /sgaudit
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/sgaudit"]
CMD ["--help"]
