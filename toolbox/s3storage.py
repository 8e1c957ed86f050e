"""Originals and derived files in an S3-compatible bucket: ``TOOLBOX_STORAGE_URL=s3://bucket/prefix``.

The same content addressing as the local folder, under the prefix::

    blobs/<aa>/<bb>/<sha256>            the originals, byte for byte as uploaded
    derived/<aa>/<sha256>.<kind>        previews, OCR'd PDFs, conversions (rebuildable)
    tmp/upload-<uuid>                   a streamed upload whose digest is not known yet
    staging/<token>/…                   an upload between its two steps (privacy preview)
    quarantine/<reason>/<sha256>        what ``toolbox check --repair`` or a restore set aside

An object appears whole or not at all (a single PUT, or a multipart upload that is completed at
the end), so no reader ever sees half a file; that is what the local store's rename gives. Bytes
pass through in chunks: uploads and downloads use boto3's managed transfers (multipart above
``_PART_SIZE``), reads are ranged GETs, so no file is ever held in memory whole.

Endpoint, region and credentials come from ``TOOLBOX_STORAGE_ENDPOINT_URL``,
``TOOLBOX_STORAGE_REGION``, ``TOOLBOX_STORAGE_ACCESS_KEY_ID`` / ``TOOLBOX_STORAGE_SECRET_ACCESS_KEY``
or, where those are empty, from boto3's usual chain (``AWS_*`` variables, ``~/.aws``, instance roles).
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator
from urllib.parse import quote, urlsplit

from .config import ConfigError
from .derived import TMP_DIR, DerivedInfo, DerivedStore, derived_name, parse_derived_name
from .storage import BlobInfo, BlobStat, StorageUnavailable, StoredBlob, check_sha256

_CHUNK = 1024 * 1024
#: Size of a multipart upload's parts and of the ranged reads of a download; with
#: ``_CONCURRENCY`` it bounds the memory one transfer needs (about 4 × 8 MB).
_PART_SIZE = 8 * 1024 * 1024
_CONCURRENCY = 4
#: A bucket cannot tell a running upload from a dead one (no lock as on a local file): a
#: temporary object or an unfinished multipart upload counts as abandoned after this long.
S3_TMP_GRACE_SECONDS = 3600.0
_BLOB_KEY = re.compile(r"(?:^|/)blobs/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})$")
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
#: Where blobs and derived files are fetched to for tools that need a path, below the instance folder.
STAGING_DIR = "storage-tmp"


def parse_storage_url(url: str) -> tuple[str, str]:
    """``(bucket, prefix)`` of ``s3://bucket/prefix``; the prefix may be empty.

    :raise ConfigError: for any other form, with what to write instead.
    """
    parts = urlsplit(url)
    bucket = parts.netloc
    if parts.scheme != "s3" or not bucket or parts.query or parts.fragment or "@" in bucket:
        raise ConfigError(f"TOOLBOX_STORAGE_URL={url!r} is not understood; write s3://bucket/prefix "
                          "(or leave it empty for the local folder TOOLBOX_DOCUMENTS_DIR).")
    return bucket, parts.path.strip("/")


def s3_client(config):
    """A boto3 S3 client from the toolbox settings, boto3's own chain filling the gaps."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError as exc:  # pragma: no cover - boto3 is a dependency
        raise ConfigError("TOOLBOX_STORAGE_URL=s3://… needs boto3 (pip install boto3).") from exc
    endpoint = config.get("TOOLBOX_STORAGE_ENDPOINT_URL") or None
    options = Config(
        connect_timeout=5,
        read_timeout=60,
        retries={"max_attempts": 5, "mode": "standard"},
        max_pool_connections=32,
        # Other S3-compatible servers (MinIO, Ceph, Garage) are addressed by path, not by a
        # bucket subdomain that their DNS does not know.
        s3={"addressing_style": "path" if endpoint else "auto"},
        # Checksums only where S3 requires them: several compatible servers reject the newer
        # CRC trailers that boto3 would otherwise add to every upload.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    session = boto3.session.Session(botocore_session=_botocore_session())
    return session.client(
        "s3",
        endpoint_url=endpoint,
        region_name=config.get("TOOLBOX_STORAGE_REGION") or None,
        aws_access_key_id=config.get("TOOLBOX_STORAGE_ACCESS_KEY_ID") or None,
        aws_secret_access_key=config.get("TOOLBOX_STORAGE_SECRET_ACCESS_KEY") or None,
        config=options,
    )


_loader = None
_loader_lock = threading.Lock()


def _botocore_session():
    """A new botocore session on the process's shared data loader.

    Making a client parses botocore's JSON models of S3, a tenth of a second or more; the
    loader keeps them parsed. Shared with the workers gunicorn forks after the preload (the
    parsed models are plain data), so a worker's first download does not wait for the parse.
    A session of its own per client: sessions (credential resolution) are not for sharing
    between threads or across a fork.
    """
    global _loader
    import botocore.loaders
    import botocore.session

    with _loader_lock:
        if _loader is None:
            _loader = botocore.loaders.create_loader()
        loader = _loader
    session = botocore.session.Session()
    session.register_component("data_loader", loader)
    return session


def _transfer_config():
    from boto3.s3.transfer import TransferConfig

    # max_in_memory_upload_chunks: a stream without seek is read ahead into this many parts;
    # boto3's default (10) would read far ahead of a slow bucket.
    config = TransferConfig(multipart_threshold=_PART_SIZE, multipart_chunksize=_PART_SIZE,
                            max_concurrency=_CONCURRENCY, io_chunksize=256 * 1024)
    # s3transfer's setting, which boto3's constructor does not take.
    config.max_in_memory_upload_chunks = _CONCURRENCY
    return config


def _missing(error: Exception) -> bool:
    response = getattr(error, "response", None) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    status = str(response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
    return code in _NOT_FOUND or status == "404"


def content_disposition(filename: str) -> str:
    """``attachment`` with the name as ASCII and as RFC 5987 UTF-8, as werkzeug's send_file writes it."""
    import unicodedata

    simple = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    simple = simple.replace("\\", "").replace('"', "") or "download"
    if simple == filename:
        return f'attachment; filename="{simple}"'
    return f"attachment; filename=\"{simple}\"; filename*=UTF-8''{quote(filename, safe='!#$&+-.^_`|~')}"


class _Bucket:
    """What the blob and the derived store share: client, bucket, key prefix, local staging."""

    def __init__(self, client, bucket: str, prefix: str, staging: str | os.PathLike):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.base = f"{self.prefix}/" if self.prefix else ""
        self.staging = Path(staging)
        self.transfer = _transfer_config()

    def url(self, key: str = "") -> str:
        return f"s3://{self.bucket}/{key}"

    def head(self, key: str) -> dict | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _missing(exc):
                return None
            raise

    def stat(self, key: str) -> BlobStat | None:
        with self.failures("stat"):
            head = self.head(key)
        if head is None:
            return None
        return BlobStat(int(head["ContentLength"]), head["LastModified"].timestamp())

    def open(self, key: str) -> BinaryIO:
        with self.failures("download"):
            return io.BufferedReader(S3Reader(self.client, self.bucket, key), buffer_size=256 * 1024)

    @contextlib.contextmanager
    def failures(self, action: str) -> Iterator[None]:
        """Errors of the bucket as ``StorageUnavailable`` (an ``OSError``) naming the bucket."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise StorageUnavailable(f"{action} {self.url()}: {error.get('Code')} {error.get('Message') or ''}"
                                     .strip()) from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(f"{action} {self.url()}: {exc}") from exc

    @contextlib.contextmanager
    def local_copy(self, key: str, name: str) -> Iterator[Path]:
        """Download ``key`` into the staging folder for a ``with`` block; removed afterwards.

        The file name starts with this process's id, so ``DerivedStore.sweep_temporary`` removes
        the copies of a killed process and leaves those of a running one.
        """
        from botocore.exceptions import ClientError

        folder = self.staging / TMP_DIR
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{os.getpid()}-{uuid.uuid4().hex}-{name}"
        try:
            try:
                self.client.download_file(self.bucket, key, str(path), Config=self.transfer)
            except ClientError as exc:
                if _missing(exc):
                    raise FileNotFoundError(f"{self.url(key)} is not there") from None
                raise
            yield path
        finally:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def upload_file(self, path: str | os.PathLike, key: str) -> None:
        self.client.upload_file(str(path), self.bucket, key, Config=self.transfer,
                                ExtraArgs={"ContentType": "application/octet-stream"})

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def list(self, prefix: str) -> Iterator[dict]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            yield from page.get("Contents", [])

    def ping(self) -> None:
        """One HEAD request on the bucket: reachable, existing, and the credentials accepted.

        :raise StorageUnavailable: with the reason.
        """
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise StorageUnavailable(f"{self.url()}: {error.get('Code')} {error.get('Message') or ''}".strip()) \
                from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(f"{self.url()}: {exc}") from exc


class S3Reader(io.RawIOBase):
    """A seekable read-only stream of one object.

    Opening sends a GET of the whole object (so a missing object raises ``FileNotFoundError``
    then, as a local file would), which a straight read-through (zip export, backup, verify)
    streams in one response. A seek drops that response; reads after it fetch windows of
    ``_PART_SIZE`` with ranged GETs, so a byte-range download (werkzeug seeks to the range's
    start) asks the bucket for at most one window beyond the range, never the rest of the object.
    """

    def __init__(self, client, bucket: str, key: str):
        super().__init__()
        self._client = client
        self._bucket = bucket
        self._key = key
        self._position = 0
        self._size: int | None = None
        self._body = None
        self._get(0)

    def _get(self, start: int) -> None:
        from botocore.exceptions import ClientError

        arguments = {"Bucket": self._bucket, "Key": self._key}
        if self._size is not None:
            arguments["Range"] = f"bytes={start}-{start + _PART_SIZE - 1}"
        try:
            response = self._client.get_object(**arguments)
        except ClientError as exc:
            if _missing(exc):
                raise FileNotFoundError(f"s3://{self._bucket}/{self._key} is not there") from None
            if exc.response.get("Error", {}).get("Code") == "InvalidRange":
                self._body = None  # at or past the end; at 0 the object is empty
                if self._size is None:
                    self._size = start
                return
            raise
        self._body = response["Body"]
        if self._size is None:
            content_range = response.get("ContentRange")
            self._size = int(content_range.rsplit("/", 1)[1]) if content_range else int(response["ContentLength"])

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            target = offset
        elif whence == io.SEEK_CUR:
            target = self._position + offset
        elif whence == io.SEEK_END:
            target = (self._size or 0) + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if target < 0:
            raise ValueError("negative seek position")
        if target != self._position:
            self._close_body()
            self._position = target
        return self._position

    def readinto(self, buffer) -> int:
        while True:
            if self._size is not None and self._position >= self._size:
                return 0
            if self._body is None:
                self._get(self._position)
                if self._body is None:
                    return 0
            data = self._body.read(len(buffer))
            if data:
                count = len(data)
                buffer[:count] = data
                self._position += count
                return count
            self._close_body()  # this window is read; the next one follows
            if self._size is None:
                return 0

    def _close_body(self) -> None:
        if self._body is not None:
            with contextlib.suppress(Exception):
                self._body.close()
            self._body = None

    def close(self) -> None:
        self._close_body()
        super().close()


class _HashingReader:
    """Hands a stream's bytes to boto3 while hashing and counting them.

    Deliberately without ``seek``/``tell``: boto3 then reads it front to back in one thread (a
    seekable source would be read part by part by several threads, out of order for the hash).
    """

    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        """``size`` bytes, fewer only at the end: boto3 takes a short read for the end of the
        stream, and network and upload streams return whatever has arrived."""
        wanted = size if size is not None and size >= 0 else _CHUNK
        pieces = []
        got = 0
        while got < wanted:
            piece = self._stream.read(wanted - got)
            if not piece:
                break
            pieces.append(piece)
            got += len(piece)
        data = b"".join(pieces)
        self.digest.update(data)
        self.size += len(data)
        return data


@dataclass(frozen=True)
class TemporaryUpload:
    """A temporary object or an unfinished multipart upload under ``tmp/``."""
    bucket: str
    key: str
    upload_id: str | None
    started: float

    def __str__(self) -> str:
        suffix = f" (mehrteiliger Upload {self.upload_id})" if self.upload_id else ""
        return f"s3://{self.bucket}/{self.key}{suffix}"


class S3BlobStore:
    """The blob store's contract on a bucket (see ``toolbox.storage.BlobStore``)."""

    def __init__(self, client, bucket: str, prefix: str = "", *, staging: str | os.PathLike,
                 tmp_grace_seconds: float = S3_TMP_GRACE_SECONDS):
        self._bucket = _Bucket(client, bucket, prefix, staging)
        self.tmp_grace_seconds = tmp_grace_seconds

    @property
    def client(self):
        return self._bucket.client

    @property
    def bucket(self) -> str:
        return self._bucket.bucket

    def describe(self) -> str:
        return self._bucket.url(self._bucket.base)

    def key_for(self, sha256: str) -> str:
        check_sha256(sha256)
        return f"{self._bucket.base}blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def exists(self, sha256: str) -> bool:
        return self.stat(sha256) is not None

    def stat(self, sha256: str) -> BlobStat | None:
        return self._bucket.stat(self.key_for(sha256))

    def open(self, sha256: str) -> BinaryIO:
        return self._bucket.open(self.key_for(sha256))

    def local_path(self, sha256: str) -> contextlib.AbstractContextManager[Path]:
        return self._bucket.local_copy(self.key_for(sha256), sha256)

    def put_file(self, source: str | os.PathLike) -> StoredBlob:
        """Hash the file, then upload it under its digest unless those bytes are there already."""
        with self._bucket.failures("upload"):
            return self._put_file(source)

    def _put_file(self, source: str | os.PathLike) -> StoredBlob:
        digest = hashlib.sha256()
        size = 0
        with open(source, "rb") as stream:
            for chunk in iter(lambda: stream.read(_CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
        sha256 = digest.hexdigest()
        key = self.key_for(sha256)
        present = self._bucket.stat(key)
        if present is not None and present.size == size:
            return StoredBlob(sha256, size, None, created=False)
        self._bucket.upload_file(source, key)
        return StoredBlob(sha256, size, None, created=True)

    def put_stream(self, stream: BinaryIO) -> StoredBlob:
        """Upload ``stream`` under a temporary key while hashing it, then copy it to its digest.

        The name is known only at the end, so the bytes go to ``tmp/`` first (multipart, in
        parts of ``_PART_SIZE``); the server copies them into place and the temporary object is
        deleted. A failed upload is aborted by boto3 and leaves no object under a valid name.
        """
        temporary = f"{self._bucket.base}tmp/upload-{uuid.uuid4().hex}"
        reader = _HashingReader(stream)
        with self._bucket.failures("upload"):
            return self._put_via(temporary, reader)

    def _put_via(self, temporary: str, reader: _HashingReader) -> StoredBlob:
        try:
            self.client.upload_fileobj(reader, self.bucket, temporary, Config=self._bucket.transfer,
                                       ExtraArgs={"ContentType": "application/octet-stream"})
            sha256 = reader.digest.hexdigest()
            key = self.key_for(sha256)
            present = self._bucket.stat(key)
            if present is not None and present.size == reader.size:
                return StoredBlob(sha256, reader.size, None, created=False)
            self.client.copy({"Bucket": self.bucket, "Key": temporary}, self.bucket, key,
                             ExtraArgs={"ContentType": "application/octet-stream"}, Config=self._bucket.transfer)
            return StoredBlob(sha256, reader.size, None, created=True)
        finally:
            with contextlib.suppress(Exception):
                self._bucket.delete(temporary)

    def verify(self, sha256: str) -> bool:
        """True when the stored bytes still hash to their name (read through, never whole)."""
        digest = hashlib.sha256()
        try:
            with self.open(sha256) as stream:
                for chunk in iter(lambda: stream.read(_CHUNK), b""):
                    digest.update(chunk)
        except FileNotFoundError:
            return False
        return digest.hexdigest() == sha256

    def delete(self, sha256: str) -> None:
        self._bucket.delete(self.key_for(sha256))

    def quarantine(self, sha256: str, reason: str) -> str:
        """Copy a blob to ``quarantine/<reason>/`` and delete it from ``blobs/``; returns where it went."""
        if not re.fullmatch(r"[A-Za-z0-9._-]+", reason):
            raise ValueError(f"bad quarantine reason {reason!r}")
        source = self.key_for(sha256)
        target = f"{self._bucket.base}quarantine/{reason}/{sha256}"
        if self._bucket.head(target) is not None:
            target = f"{target}.{int(time.time())}"
        from botocore.exceptions import ClientError

        try:
            self.client.copy({"Bucket": self.bucket, "Key": source}, self.bucket, target, Config=self._bucket.transfer)
        except ClientError as exc:
            if _missing(exc):
                raise FileNotFoundError(f"{self._bucket.url(source)} is not there") from None
            raise
        self._bucket.delete(source)
        return self._bucket.url(target)

    def list_blobs(self) -> Iterator[BlobInfo]:
        for item in self._bucket.list(f"{self._bucket.base}blobs/"):
            match = _BLOB_KEY.search(item["Key"])
            if match is None or item["Key"] != self.key_for(match.group(3)):
                continue
            first, second, sha256 = match.groups()
            if sha256[:2] != first or sha256[2:4] != second:
                continue
            yield BlobInfo(sha256, int(item["Size"]), item["LastModified"].timestamp(), self._bucket.url(item["Key"]))

    def iter_blobs(self) -> Iterator[tuple[str, str]]:
        """Every stored blob as ``(sha256, s3 URL)``."""
        for info in self.list_blobs():
            yield info.sha256, info.location

    def temporary_files(self) -> list[TemporaryUpload]:
        """Temporary objects and unfinished multipart uploads of streamed uploads."""
        prefix = f"{self._bucket.base}tmp/"
        found = [TemporaryUpload(self.bucket, item["Key"], None, item["LastModified"].timestamp())
                 for item in self._bucket.list(prefix)]
        paginator = self.client.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for upload in page.get("Uploads", []):
                found.append(TemporaryUpload(self.bucket, upload["Key"], upload["UploadId"],
                                             upload["Initiated"].timestamp()))
        return found

    def abandoned_temporary_files(self, grace_seconds: float | None = None) -> list[TemporaryUpload]:
        """Temporary uploads older than ``tmp_grace_seconds`` (a bucket has no writer locks)."""
        cutoff = time.time() - max(grace_seconds or 0.0, self.tmp_grace_seconds)
        return [upload for upload in self.temporary_files() if upload.started < cutoff]

    def remove_temporary(self, leftover: TemporaryUpload) -> None:
        from botocore.exceptions import ClientError

        if leftover.upload_id is None:
            self._bucket.delete(leftover.key)
            return
        with contextlib.suppress(ClientError):  # finished or aborted meanwhile
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=leftover.key, UploadId=leftover.upload_id)

    def sweep_temporary(self, grace_seconds: float | None = None) -> int:
        removed = 0
        for leftover in self.abandoned_temporary_files(grace_seconds):
            self.remove_temporary(leftover)
            removed += 1
        return removed

    def presigned_url(self, sha256: str, *, seconds: int, filename: str, media_type: str) -> str | None:
        """A GET URL valid ``seconds`` long that makes the bucket answer with the download's headers."""
        return self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": self.key_for(sha256),
                    "ResponseContentDisposition": content_disposition(filename),
                    "ResponseContentType": media_type},
            ExpiresIn=int(seconds),
        )

    def ping(self) -> None:
        self._bucket.ping()


class S3DerivedStore(DerivedStore):
    """Derived files in the bucket; written locally first (``writing``), uploaded by ``commit``."""

    def __init__(self, client, bucket: str, prefix: str = "", *, staging: str | os.PathLike):
        super().__init__(staging)
        self._bucket = _Bucket(client, bucket, prefix, staging)

    def describe(self) -> str:
        return self._bucket.url(f"{self._bucket.base}derived/")

    def key_for(self, sha256: str, kind: str) -> str:
        name = derived_name(sha256, kind)
        return f"{self._bucket.base}derived/{sha256[:2]}/{name}"

    def path_for(self, sha256: str, kind: str) -> Path:
        raise TypeError("derived files live in a bucket; use open(), stat() or local_path()")

    def exists(self, sha256: str, kind: str) -> bool:
        return self.stat(sha256, kind) is not None

    def stat(self, sha256: str, kind: str) -> BlobStat | None:
        return self._bucket.stat(self.key_for(sha256, kind))

    def open(self, sha256: str, kind: str) -> BinaryIO:
        return self._bucket.open(self.key_for(sha256, kind))

    def local_path(self, sha256: str, kind: str) -> contextlib.AbstractContextManager[Path]:
        return self._bucket.local_copy(self.key_for(sha256, kind), derived_name(sha256, kind))

    def commit(self, temporary: Path, sha256: str, kind: str) -> str:
        key = self.key_for(sha256, kind)
        self._bucket.upload_file(temporary, key)
        with contextlib.suppress(FileNotFoundError):
            Path(temporary).unlink()
        return self._bucket.url(key)

    def delete(self, sha256: str, kind: str) -> None:
        self._bucket.delete(self.key_for(sha256, kind))

    def list_files(self) -> Iterator[DerivedInfo]:
        with self._bucket.failures("list"):
            for item in self._bucket.list(f"{self._bucket.base}derived/"):
                parsed = parse_derived_name(item["Key"].rsplit("/", 1)[-1])
                if parsed is not None:
                    yield DerivedInfo(parsed[0], parsed[1], self._bucket.url(item["Key"]),
                                      item["LastModified"].timestamp())


class S3UploadStaging:
    """Uploads between their two steps (the privacy preview) under ``staging/<token>/``.

    With a bucket, the second step may reach another application server than the first; the
    staged files and their manifest are therefore kept in the bucket, not in one server's
    instance folder. They are not blobs: nothing here is content-addressed or kept after the
    upload is submitted, discarded or older than a day (``sweep``).
    """

    def __init__(self, client, bucket: str, prefix: str = "", *, staging: str | os.PathLike):
        self._bucket = _Bucket(client, bucket, prefix, staging)

    def describe(self) -> str:
        return self._bucket.url(f"{self._bucket.base}staging/")

    def key_for(self, token: str, name: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token) or not re.fullmatch(r"[a-z0-9]+\.[a-z]+", name):
            raise ValueError(f"bad staging name {token!r} {name!r}")
        return f"{self._bucket.base}staging/{token}/{name}"

    def put(self, token: str, name: str, path: str | os.PathLike) -> None:
        with self._bucket.failures("upload"):
            self._bucket.upload_file(path, self.key_for(token, name))

    def read(self, token: str, name: str) -> bytes | None:
        """A small staged object (the manifest) in one piece; None when it is not there."""
        from botocore.exceptions import ClientError

        with self._bucket.failures("download"):
            try:
                response = self._bucket.client.get_object(Bucket=self._bucket.bucket, Key=self.key_for(token, name))
            except ClientError as exc:
                if _missing(exc):
                    return None
                raise
            with contextlib.closing(response["Body"]) as body:
                return body.read()

    def fetch(self, token: str, name: str, target: str | os.PathLike) -> bool:
        """Download a staged file to ``target``; False when it is not there."""
        from botocore.exceptions import ClientError

        with self._bucket.failures("download"):
            try:
                self._bucket.client.download_file(self._bucket.bucket, self.key_for(token, name), str(target),
                                                  Config=self._bucket.transfer)
            except ClientError as exc:
                if _missing(exc):
                    return False
                raise
        return True

    def discard(self, token: str) -> None:
        """Remove everything staged under ``token``; nothing there is fine."""
        prefix = self.key_for(token, "manifest.json").rsplit("/", 1)[0] + "/"
        with self._bucket.failures("delete"):
            for item in list(self._bucket.list(prefix)):
                self._bucket.delete(item["Key"])

    def sweep(self, max_age: float) -> int:
        """Remove the staged uploads whose newest object is older than ``max_age`` seconds;
        returns how many uploads."""
        base = f"{self._bucket.base}staging/"
        newest: dict[str, float] = {}
        keys: dict[str, list[str]] = {}
        with self._bucket.failures("list"):
            for item in self._bucket.list(base):
                token = item["Key"][len(base):].split("/", 1)[0]
                newest[token] = max(newest.get(token, 0.0), item["LastModified"].timestamp())
                keys.setdefault(token, []).append(item["Key"])
            cutoff = time.time() - max_age
            old = [token for token, modified in newest.items() if modified < cutoff]
            for token in old:
                for key in keys[token]:
                    self._bucket.delete(key)
        return len(old)


@dataclass(frozen=True)
class S3Stores:
    blobs: S3BlobStore
    derived: S3DerivedStore
    uploads: S3UploadStaging


_lock = threading.Lock()


def s3_stores(app) -> S3Stores:
    """The app's bucket stores, made on first use and kept in ``app.extensions``."""
    stores = app.extensions.get("toolbox_s3")
    if stores is not None:
        return stores
    with _lock:
        stores = app.extensions.get("toolbox_s3")
        if stores is None:
            bucket, prefix = parse_storage_url(app.config["TOOLBOX_STORAGE_URL"])
            client = s3_client(app.config)
            staging = Path(app.instance_path) / STAGING_DIR
            stores = S3Stores(S3BlobStore(client, bucket, prefix, staging=staging),
                              S3DerivedStore(client, bucket, prefix, staging=staging),
                              S3UploadStaging(client, bucket, prefix, staging=staging))
            app.extensions["toolbox_s3"] = stores
    return stores


def forget_clients(app) -> None:
    """After a fork: the parent's HTTP connections must not be shared; the next use makes new ones."""
    app.extensions.pop("toolbox_s3", None)


def renew_clients(app) -> None:
    """After a fork: drop the parent's clients and, with a bucket, make this process's own now,
    before the first request would wait for it."""
    from .storage import storage_url

    forget_clients(app)
    if storage_url(app.config) is not None:
        s3_stores(app)
