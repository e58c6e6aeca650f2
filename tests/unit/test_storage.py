"""Storage adapter: local directory and S3 (against moto's server on loopback)."""
import hashlib
import io
import socket
import urllib.request

import pytest

from awards.adapters.storage import (LocalStorage, NotFound, S3Storage, StorageError,
                                     get_storage, storage_from_config)


class ChunkRecorder(io.BytesIO):
    """A stream that records how much each read asked for."""

    def __init__(self, data):
        super().__init__(data)
        self.sizes = []

    def read(self, size=-1):
        self.sizes.append(size)
        return super().read(size)


@pytest.fixture
def local(tmp_path):
    return LocalStorage(tmp_path / "files")


@pytest.fixture(scope="module")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def s3(moto_endpoint, aws_env, request):
    bucket = f"awards-{request.node.name.lower().replace('_', '-')[:40]}"
    storage = S3Storage(bucket=bucket, region="eu-central-1", endpoint_url=moto_endpoint)
    storage.client.create_bucket(Bucket=bucket,
                                 CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    return storage


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- local -----------------------------------------------------------------------------

def test_local_save_returns_size_and_sha256(local):
    data = b"Hallo Welt" * 1000
    assert local.save("a/b/c.pdf", io.BytesIO(data)) == (len(data), hashlib.sha256(data).hexdigest())
    assert local.read("a/b/c.pdf") == data
    assert local.exists("a/b/c.pdf") is True


def test_local_save_streams_in_chunks(local):
    stream = ChunkRecorder(b"x" * (3 * 1024 * 1024 + 5))
    local.save("big.bin", stream)
    assert max(stream.sizes) == 1024 * 1024


def test_local_open_missing_raises_not_found(local):
    with pytest.raises(NotFound):
        local.open("nope.pdf")


def test_local_delete_and_copy(local):
    local.save("x.pdf", io.BytesIO(b"eins"))
    local.copy("x.pdf", "y/z.pdf")
    local.delete("x.pdf")
    assert (local.exists("x.pdf"), local.read("y/z.pdf")) == (False, b"eins")


@pytest.mark.parametrize("key", ["../evil", "/etc/passwd", "a/../../b", "a\\b", ""])
def test_local_rejects_unsafe_keys(local, key):
    with pytest.raises(ValueError):
        local.save(key, io.BytesIO(b"x"))


def test_local_presigned_url_is_none_so_the_app_streams(local):
    assert local.presigned_url("x.pdf") is None


def test_storage_from_config_picks_backend(tmp_path, aws_env):
    assert isinstance(storage_from_config({"STORAGE": "local", "STORAGE_DIR": str(tmp_path)}),
                      LocalStorage)
    s3 = storage_from_config({"STORAGE": "s3", "S3_BUCKET": "b", "S3_REGION": "eu-central-1",
                              "S3_ENDPOINT_URL": "http://127.0.0.1:1"})
    assert (isinstance(s3, S3Storage), s3.bucket) == (True, "b")


# --- S3 --------------------------------------------------------------------------------

def test_s3_save_read_roundtrip(s3):
    data = b"%PDF-1.4 test" * 5000
    size, digest = s3.save("applications/1/a.pdf", io.BytesIO(data), "application/pdf")
    assert (size, digest) == (len(data), hashlib.sha256(data).hexdigest())
    assert s3.read("applications/1/a.pdf") == data
    head = s3.client.head_object(Bucket=s3.bucket, Key="applications/1/a.pdf")
    assert head["ContentType"] == "application/pdf"


def test_s3_save_streams_large_file_in_parts(s3):
    stream = ChunkRecorder(b"y" * (12 * 1024 * 1024))
    size, _ = s3.save("big.bin", stream)
    assert size == 12 * 1024 * 1024
    assert max(s for s in stream.sizes if s is not None) <= 8 * 1024 * 1024


def test_s3_exists_delete_copy(s3):
    s3.save("k1", io.BytesIO(b"abc"))
    s3.copy("k1", "k2")
    s3.delete("k1")
    assert (s3.exists("k1"), s3.exists("k2"), s3.read("k2")) == (False, True, b"abc")


def test_s3_missing_key_raises_not_found(s3):
    with pytest.raises(NotFound):
        s3.open("gibt-es-nicht")


def test_s3_presigned_url_downloads_file(s3):
    s3.save("doc.pdf", io.BytesIO(b"inhalt"), "application/pdf")
    url = s3.presigned_url("doc.pdf", filename="Bericht.pdf", expires=60)
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback moto
        assert response.read() == b"inhalt"
        assert response.headers["Content-Disposition"] == 'attachment; filename="Bericht.pdf"'


def test_s3_check_and_ensure_bucket(moto_endpoint, aws_env):
    storage = S3Storage(bucket="neu-angelegt", region="us-east-1", endpoint_url=moto_endpoint)
    with pytest.raises(StorageError):
        storage.check()
    storage.ensure_bucket()
    assert storage.check() is True


def test_s3_unreachable_endpoint_raises_storage_error(aws_env):
    storage = S3Storage(bucket="x", region="eu-central-1",
                        endpoint_url=f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(StorageError):
        storage.save("a", io.BytesIO(b"x"))


def test_get_storage_uses_s3_from_app_config(app, moto_endpoint, aws_env):
    app.config.update(STORAGE="s3", S3_BUCKET="app-bucket", S3_ENDPOINT_URL=moto_endpoint,
                      S3_REGION="us-east-1")
    try:
        storage = get_storage()
        storage.ensure_bucket()
        storage.save("x/y.png", io.BytesIO(b"\x89PNG"), "image/png")
        assert (storage.name, storage.read("x/y.png")) == ("s3", b"\x89PNG")
    finally:
        app.config.update(STORAGE="local")
