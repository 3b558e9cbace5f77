"""A real, unprivileged nginx in front of real ``outcomes serve`` processes, for the deploy tests.

It runs ``deploy/nginx/outcomes.conf.template`` — the file docker-compose.yml mounts — rendered
the way the nginx image renders it (only the ``${NGINX_...}`` variables are substituted), inside
a minimal main configuration whose pid, logs and temporary files live in a temporary directory.
"""

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.server import ROOT, free_port

TEMPLATE = ROOT / "deploy" / "nginx" / "outcomes.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# The variables the template may use; the nginx image substitutes those defined in its
# environment, and the tests and docker-compose.yml define exactly these.
VARIABLES = ("NGINX_UPSTREAM_SERVERS", "NGINX_LISTEN")
_PLACEHOLDER = re.compile(r"\$\{(NGINX_[A-Z_]+)\}")

MAIN = """\
{user}worker_processes 1;
worker_rlimit_nofile {nofile};
error_log {error_log} warn;
events {{ worker_connections {connections}; }}
http {{
    # Which instance answered, and how: what a failover test's log must show.
    log_format upstreams '$remote_addr [$time_local] "$request" $status '
                         'upstream=$upstream_addr upstream_status=$upstream_status';
    access_log {access_log} upstreams;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {site};
}}
"""


def upstream_servers(addresses: Sequence[str]) -> str:
    """The ``server`` lines of the upstream block, as docker-compose.yml writes them."""
    return " ".join(f"server {address} max_fails=0;" for address in addresses)


def render(values: dict[str, str], template: Path = TEMPLATE) -> str:
    """The template with its ``${NGINX_...}`` variables replaced (all must be given)."""
    text = template.read_text()
    missing = set(_PLACEHOLDER.findall(text)) - set(values)
    if missing:
        raise KeyError(f"no value for {sorted(missing)}")
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


@dataclass
class RunningNginx:
    """An nginx process and its public URL (what OUTCOMES_PUBLIC_URL must be)."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    directory: Path

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1)

    def error_log(self) -> str:
        path = self.directory / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def write_config(
    directory: Path, port: int, upstreams: Sequence[str], worker_connections: int = 4096
) -> Path:
    """Write the rendered site and the main file into ``directory``; returns the main file."""
    (directory / "tmp").mkdir(parents=True, exist_ok=True)
    site = directory / "outcomes.conf"
    site.write_text(
        render(
            {
                "NGINX_UPSTREAM_SERVERS": upstream_servers(upstreams),
                "NGINX_LISTEN": f"127.0.0.1:{port}",
            }
        )
    )
    main = directory / "nginx.conf"
    main.write_text(
        MAIN.format(
            # A root master would run its worker as "nobody", which cannot enter pytest's
            # private temporary directories; unprivileged, nginx has no user to switch to.
            user="user root;\n" if os.geteuid() == 0 else "",
            error_log=directory / "error.log",
            access_log=directory / "access.log",
            tmp=directory / "tmp",
            connections=worker_connections,
            nofile=worker_connections + 512,
            site=site,
        )
    )
    return main


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def nginx(
    directory: Path,
    upstreams: Sequence[str],
    *,
    port: int | None = None,
    worker_connections: int = 4096,
    deadline: float = 15.0,
) -> Iterator[RunningNginx]:
    """nginx in the foreground (``daemon off``) proxying to ``upstreams`` (host:port each)."""
    port = port or free_port()
    directory.mkdir(parents=True, exist_ok=True)
    main = write_config(directory, port, upstreams, worker_connections)
    check = subprocess.run(
        [NGINX, "-t", "-p", str(directory), "-c", str(main), "-g", f"pid {directory}/nginx.pid;"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t refused the configuration:\n{check.stderr}")
    # The child keeps its own copy of the descriptor; ours is closed at once.
    with (directory / "stderr.log").open("ab") as stderr:
        process = subprocess.Popen(
            [
                NGINX,
                "-p",
                str(directory),
                "-c",
                str(main),
                "-g",
                f"daemon off; pid {directory}/nginx.pid;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    running = RunningNginx(f"http://127.0.0.1:{port}", port, process, directory)
    end = time.monotonic() + deadline
    try:
        while not _listening(port):
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited early:\n{running.error_log()}")
            if time.monotonic() > end:
                raise TimeoutError(f"nginx did not listen:\n{running.error_log()}")
            time.sleep(0.05)  # polling a readiness probe, not synchronising test steps
        yield running
    finally:
        running.stop()
