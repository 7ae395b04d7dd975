"""A throw-away PostgreSQL server from the installed binaries, for tests and benchmarks.

PostgreSQL refuses to run as root, so when started by root the data folder is handed to
the ``postgres`` user and ``initdb`` / ``pg_ctl`` run as that user. The server listens on
127.0.0.1 on a free port with its unix socket inside the temporary folder, and
:meth:`PostgresServer.stop` removes everything.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

__all__ = ["PostgresServer", "PostgresUnavailable", "find_pg_bin"]


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are not installed, or the server did not start."""


def find_pg_bin() -> Path:
    """The folder holding initdb and pg_ctl (PATH, /usr/local/bin, /usr/lib/postgresql/*/bin)."""
    candidates: list[Path] = []
    found = shutil.which("initdb")
    if found:
        candidates.append(Path(found).parent)
    candidates.append(Path("/usr/local/bin"))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for c in candidates:
        if (c / "initdb").exists() and (c / "pg_ctl").exists() and (c / "postgres").exists():
            return c
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found on PATH, in /usr/local/bin "
        "or /usr/lib/postgresql/*/bin: install them (Debian: apt-get install postgresql) to run the "
        "PostgreSQL half of the verifier_service tests"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """``with PostgresServer() as pg: url = pg.create_database("t1")``."""

    def __init__(self, *, durable: bool = False, max_connections: int = 200, user: str = "postgres") -> None:
        self.bin = find_pg_bin()
        self.durable = durable
        self.max_connections = max_connections
        self.os_user = user if os.geteuid() == 0 else None
        self.port = 0
        self.dir: Path | None = None
        self._started = False

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    @property
    def data(self) -> Path:
        assert self.dir is not None
        return self.dir / "data"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        uid = gid = None
        if self.os_user is not None:
            pw = pwd.getpwnam(self.os_user)
            uid, gid = pw.pw_uid, pw.pw_gid
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        return subprocess.run(args, capture_output=True, text=True, env=env, cwd="/", timeout=120, check=False,
                              user=uid, group=gid, extra_groups=[] if uid is not None else None)

    def start(self) -> None:
        if self.os_user is not None:
            try:
                pwd.getpwnam(self.os_user)
            except KeyError as exc:
                raise PostgresUnavailable(
                    f"running as root, and there is no '{self.os_user}' user to run PostgreSQL as"
                ) from exc
        self.dir = Path(tempfile.mkdtemp(prefix="zkaid-pg-"))
        if self.os_user is not None:
            pw = pwd.getpwnam(self.os_user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        os.chmod(self.dir, 0o700)
        r = self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                      "-E", "UTF8", "--no-sync", "--locale=C")
        if r.returncode != 0:
            self._cleanup()
            raise PostgresUnavailable(f"initdb failed: {r.stderr.strip()[-2000:]}")
        opts = [f"-c listen_addresses=127.0.0.1 -k {self.dir} -c max_connections={self.max_connections}"]
        if not self.durable:
            opts.append("-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        for _attempt in range(5):
            self.port = _free_port()
            r = self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "server.log"),
                          "-w", "-t", "60", "-o", f"-p {self.port} " + " ".join(opts), "start")
            if r.returncode == 0:
                self._started = True
                return
        log = ""
        try:
            log = (self.dir / "server.log").read_text(errors="replace")[-2000:]
        except OSError:
            log = r.stderr
        self._cleanup()
        raise PostgresUnavailable(f"PostgreSQL did not start: {log.strip()}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(sql.encode())

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """A new empty database (or a copy of ``template``); returns its SQLAlchemy URL."""
        if not name.replace("_", "").isalnum():
            raise ValueError("database names are letters, digits and '_'")
        self._admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self._started:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self._started = False
        self._cleanup()

    def _cleanup(self) -> None:
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
