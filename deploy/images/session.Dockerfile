# A session image: Xvnc (the VNC sidecar runs it) and the apps' programs (the app container runs them), as uid 1000.
# One image serves both containers unless SORTIE_K8S_VNC_IMAGE names another for the sidecar.
#   docker build -f deploy/images/session.Dockerfile -t registry.example.org/sortie/desktop:1 deploy/images
FROM debian:bookworm-slim
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      tigervnc-standalone-server openbox xterm fonts-dejavu-core ca-certificates >/dev/null \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 1000 sortie && useradd --uid 1000 --gid 1000 --home-dir /home/sortie --shell /bin/bash sortie
USER 1000:1000
WORKDIR /home/sortie
