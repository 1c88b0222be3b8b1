"""The production recipe: Debian's nginx, started from deploy/nginx/custody.conf.template on
loopback in front of gunicorn as `custody serve` runs it, keeps the trace page answering
while 16 uploads stall mid-body; gunicorn alone does not."""

from __future__ import annotations

import http.client
import io
import os
import shutil
import signal
import socket
import ssl
import string
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from custody.db.engine import Database
from custody.domain.model import Role
from custody.services import accounts, devices
from tests.conftest import TEST_KEYS
from tests.custody.conftest import register_district
from tests.custody.photos import IDENTITY, phone_photo

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "nginx" / "custody.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
STALLED = 16

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not os.path.exists(NGINX), reason="nginx is not installed (scripts/setup.sh installs it)")]


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    """Until something accepts on the port (or the process died)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"exited with {process.returncode}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listens on {port}")


def stop_group(process: subprocess.Popen, sig: int) -> None:
    """Stop a server and its children: ``sig``, then SIGKILL if it is slow (a loaded machine)."""
    os.killpg(process.pid, sig)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)


@pytest.fixture
def tls(tmp_path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost: (certificate, key) PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                         x509.IPAddress(IPv4Address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture
def site(tmp_path, fast_passwords) -> dict:
    """A data folder with a district, a collector's phone token and a bag's trace path."""
    data = tmp_path / "data"
    env = {**os.environ, "CUSTODY_DATA_DIR": str(data), "CUSTODY_PROXY_HOPS": "1",
           "CUSTODY_CODE_KEYS": ",".join(f"{k}:{v.hex()}" for k, v in TEST_KEYS.items()),
           "CUSTODY_SCAN_WORKERS": "1"}
    env.pop("CUSTODY_DATABASE_URL", None)
    env.pop("DATABASE_URL", None)
    custody = str(Path(sys.executable).parent / "custody")
    subprocess.run([custody, "init"], env=env, check=True, capture_output=True)
    db = Database(f"sqlite:///{data / 'custody.sqlite'}")
    district = register_district(db)
    collector = accounts.create_user(db, "zhou", Role.COLLECTOR, "zhou-password")
    _, token = devices.issue_device_token(db, collector, "phone")
    db.dispose()
    trace = IDENTITY.make_code(district.kitchen_bag).split(IDENTITY.host, 1)[1]
    return {"env": env, "custody": custody, "district": district, "token": token,
            "trace": "/" + trace.lstrip("/")}


@pytest.fixture
def gunicorn(site):
    """`custody serve` on a loopback port (2 workers x 4 threads, as in production)."""
    port = free_port()
    process = subprocess.Popen([site["custody"], "serve", "--host", "127.0.0.1", "--port",
                                str(port)], env=site["env"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(port, process)
        yield port
    finally:
        stop_group(process, signal.SIGQUIT)  # gunicorn's quick shutdown


@pytest.fixture
def nginx(tmp_path, gunicorn, tls):
    """nginx from the recipe, as a foreground process with a temporary prefix: its port."""
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    https_port, http_port = free_port(), free_port()
    site_conf = prefix / "custody.conf"
    site_conf.write_text(string.Template(TEMPLATE.read_text()).safe_substitute(
        CUSTODY_HOST="localhost", HTTP_PORT=http_port, HTTPS_PORT=https_port,
        TLS_CERT=tls[0], TLS_KEY=tls[1], UPSTREAM=f"127.0.0.1:{gunicorn}"))
    temp = {name: prefix / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    main_conf = prefix / "nginx.conf"
    main_conf.write_text(
        f"daemon off;\nuser root;\nworker_processes 1;\npid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/error.log warn;\nevents {{ worker_connections 512; }}\n"
        "http {\n  access_log off;\n"
        + "".join(f"  {name}_temp_path {path};\n" if name != "body" else
                  f"  client_body_temp_path {path};\n" for name, path in temp.items())
        + f"  include {site_conf};\n}}\n")
    command = [NGINX, "-p", str(prefix), "-c", str(main_conf), "-e", str(prefix / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(https_port, process)
        yield https_port, http_port
    finally:
        stop_group(process, signal.SIGTERM)  # nginx's fast shutdown


def client_tls(tls) -> ssl.SSLContext:
    """A client that trusts the test certificate (and checks the host name)."""
    return ssl.create_default_context(cafile=str(tls[0]))


def stall_uploads(port: int, token: str, context: ssl.SSLContext | None) -> list[socket.socket]:
    """STALLED connections that send an upload's headers and 1 kB of its 1 MB body, then wait."""
    head = (f"POST /api/v1/scans HTTP/1.1\r\nHost: localhost\r\n"
            f"Authorization: Bearer {token}\r\nIdempotency-Key: {uuid.uuid4()}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\n"
            "Content-Length: 1000000\r\n\r\n").encode() + b"--x\r\n" + b"y" * 1000
    stalled = []
    for _ in range(STALLED):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        if context is not None:
            sock = context.wrap_socket(sock, server_hostname="localhost")
        sock.sendall(head)
        stalled.append(sock)
    time.sleep(1)  # let the server take them all up
    return stalled


def get(port: int, path: str, context: ssl.SSLContext | None, timeout: float):
    """GET a page: (status, body)."""
    if context is None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    else:
        conn = http.client.HTTPSConnection("localhost", port, context=context, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_behind_nginx_the_trace_page_answers_while_16_uploads_stall(site, nginx, tls):
    https_port, http_port = nginx
    context = client_tls(tls)
    stalled = stall_uploads(https_port, site["token"], context)
    try:
        status, body = get(https_port, site["trace"], context, timeout=20)
        assert status == 200 and site["district"].kitchen_bag.encode() in body
        # a phone's real upload goes through too, with its address passed on
        photo = phone_photo(site["district"].kitchen_bag, site["district"].kitchen_bin)
        answer = upload(https_port, site["token"], photo, context)
        assert answer.status == 201, answer.read()
    finally:
        for sock in stalled:
            sock.close()
    assert get(http_port, "/", None, timeout=10)[0] == 301  # plain http only redirects
    assert oversized(https_port, site["token"], context) == 413  # refused before it arrives


def oversized(port: int, token: str, context: ssl.SSLContext) -> int:
    """The status of an upload announcing 17 MB (the limit is 16 MB)."""
    conn = http.client.HTTPSConnection("localhost", port, context=context, timeout=20)
    conn.putrequest("POST", "/api/v1/scans")
    conn.putheader("Content-Length", str(17 * 1024 * 1024))
    conn.putheader("Authorization", f"Bearer {token}")
    conn.endheaders()
    return conn.getresponse().status


def upload(port: int, token: str, photo: bytes, context: ssl.SSLContext):
    """A phone's multipart upload over HTTPS."""
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="action"\r\n\r\n'
               f"deposit\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; "
               f'filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode())
    body.write(photo + f"\r\n--{boundary}--\r\n".encode())
    conn = http.client.HTTPSConnection("localhost", port, context=context, timeout=60)
    conn.request("POST", "/api/v1/scans", body=body.getvalue(), headers={
        "Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4()),
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    return conn.getresponse()


def test_without_nginx_16_stalled_uploads_hold_every_gunicorn_thread(site, gunicorn):
    stalled = stall_uploads(gunicorn, site["token"], None)
    try:
        with pytest.raises(TimeoutError):
            get(gunicorn, site["trace"], None, timeout=5)
    finally:
        for sock in stalled:
            sock.close()
