"""Refuse ZIP containers (DOCX) that would unpack to far more than they weigh.

The central directory is walked here by hand instead of with `zipfile.ZipFile`: zipfile
builds an object for every entry before anyone can count them, so a 50 MB upload holding
a million empty entries would cost the web process hundreds of MB just to be refused.
The walk follows zipfile's own rules for finding the directory, so both see the same
entries; zipfile later caps every member at the size declared here, which is what makes
the declared sizes safe to judge by.
"""

from __future__ import annotations

import os
import struct
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from ..message import Message
from . import messages

_EOCD = struct.Struct("<4s4H2LH")
_EOCD_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_CENTRAL_SIGNATURE = b"PK\x01\x02"
_MAX_COMMENT = 0xFFFF


@dataclass(frozen=True)
class ZipLimits:
    """What a ZIP container may unpack to before it is treated as a ZIP bomb."""

    max_members: int = 10_000
    max_total_uncompressed: int = 250 * 1024 * 1024
    max_ratio: float = 100.0
    # Small members (XML parts) legitimately compress 100:1 and more; only large ones count.
    ratio_min_size: int = 1024 * 1024


DEFAULT_LIMITS = ZipLimits()


@dataclass(frozen=True)
class ZipMember:
    name: str
    compressed_size: int
    uncompressed_size: int


@dataclass(frozen=True)
class ZipListing:
    members: tuple[ZipMember, ...]
    truncated: bool  # True when the walk stopped at the member limit

    @property
    def names(self) -> frozenset[str]:
        return frozenset(member.name for member in self.members)


def read_listing(fp: BinaryIO, max_members: int = DEFAULT_LIMITS.max_members) -> ZipListing:
    """Read at most `max_members` + 1 central directory entries.

    :raise zipfile.BadZipFile: if the central directory cannot be found or is damaged.
    """
    start, size = _central_directory(fp)
    fp.seek(start)
    directory = fp.read(size)
    if len(directory) != size:
        raise zipfile.BadZipFile("truncated central directory")
    members: list[ZipMember] = []
    offset = 0
    while offset < size:
        if len(members) > max_members:
            return ZipListing(tuple(members), truncated=True)
        fixed = directory[offset : offset + _CENTRAL.size]
        if len(fixed) != _CENTRAL.size:
            raise zipfile.BadZipFile("truncated central directory")
        fields = _CENTRAL.unpack(fixed)
        if fields[0] != _CENTRAL_SIGNATURE:
            raise zipfile.BadZipFile("bad magic number for central directory")
        flags = fields[5]
        compressed, uncompressed = fields[10], fields[11]
        name_len, extra_len, comment_len = fields[12], fields[13], fields[14]
        offset += _CENTRAL.size
        raw_name = directory[offset : offset + name_len]
        extra = directory[offset + name_len : offset + name_len + extra_len]
        offset += name_len + extra_len + comment_len
        if offset > size:
            raise zipfile.BadZipFile("truncated central directory")
        if uncompressed == 0xFFFFFFFF or compressed == 0xFFFFFFFF:
            uncompressed, compressed = _zip64_sizes(extra, uncompressed, compressed)
        encoding = "utf-8" if flags & 0x800 else "cp437"
        name = raw_name.decode(encoding, errors="replace")
        members.append(ZipMember(name, compressed, uncompressed))
    return ZipListing(tuple(members), truncated=False)


def refusal(listing: ZipListing, limits: ZipLimits = DEFAULT_LIMITS) -> Message | None:
    """The reason to refuse the container, or None if it is within the limits."""
    if listing.truncated or len(listing.members) > limits.max_members:
        return messages.zip_too_many_members(limits.max_members)
    total = 0
    for member in listing.members:
        total += member.uncompressed_size
        if total > limits.max_total_uncompressed:
            return messages.zip_too_large(limits.max_total_uncompressed)
        if member.uncompressed_size > limits.ratio_min_size:
            ratio = member.uncompressed_size / max(member.compressed_size, 1)
            if ratio > limits.max_ratio:
                return messages.zip_ratio(member.name, ratio)
    return None


def check_file(path: str | os.PathLike[str], limits: ZipLimits = DEFAULT_LIMITS) -> Message | None:
    """Refusal reason for the ZIP file at `path`, or None if it may be unpacked.

    A damaged directory is a refusal too (zipfile could not open it either).
    """
    try:
        with open(path, "rb") as fp:
            listing = read_listing(fp, limits.max_members)
    except (zipfile.BadZipFile, struct.error) as exc:
        return messages.zip_corrupt(str(exc))
    return refusal(listing, limits)


def _central_directory(fp: BinaryIO) -> tuple[int, int]:
    """(start, size) of the central directory, located as zipfile locates it."""
    fp.seek(0, os.SEEK_END)
    file_size = fp.tell()
    if file_size < _EOCD.size:
        raise zipfile.BadZipFile("file is too small to be a ZIP archive")
    fp.seek(file_size - _EOCD.size)
    record = fp.read(_EOCD.size)
    eocd_pos = file_size - _EOCD.size
    if not (record[:4] == _EOCD_SIGNATURE and record[-2:] == b"\x00\x00"):
        tail_start = max(file_size - _EOCD.size - _MAX_COMMENT, 0)
        fp.seek(tail_start)
        tail = fp.read()
        found = tail.rfind(_EOCD_SIGNATURE)
        if found < 0 or len(tail) - found < _EOCD.size:
            raise zipfile.BadZipFile("end of central directory not found")
        record = tail[found : found + _EOCD.size]
        eocd_pos = tail_start + found
    fields = _EOCD.unpack(record)
    cd_size = fields[5]
    start = eocd_pos - cd_size
    if eocd_pos >= _ZIP64_LOCATOR.size + _ZIP64_EOCD.size:
        fp.seek(eocd_pos - _ZIP64_LOCATOR.size)
        locator = _ZIP64_LOCATOR.unpack(fp.read(_ZIP64_LOCATOR.size))
        if locator[0] == _ZIP64_LOCATOR_SIGNATURE:
            record_pos = eocd_pos - _ZIP64_LOCATOR.size - _ZIP64_EOCD.size
            fp.seek(record_pos)
            zip64 = _ZIP64_EOCD.unpack(fp.read(_ZIP64_EOCD.size))
            # Like zipfile: without a valid zip64 record the plain one stands.
            if zip64[0] == _ZIP64_EOCD_SIGNATURE:
                cd_size = zip64[8]
                start = record_pos - cd_size
    if start < 0:
        raise zipfile.BadZipFile("bad offset for central directory")
    return start, cd_size


def _zip64_sizes(extra: bytes, uncompressed: int, compressed: int) -> tuple[int, int]:
    position = 0
    while position + 4 <= len(extra):
        header_id, length = struct.unpack_from("<HH", extra, position)
        body = extra[position + 4 : position + 4 + length]
        if header_id == 0x0001:
            values = list(struct.unpack_from(f"<{len(body) // 8}Q", body))
            if uncompressed == 0xFFFFFFFF and values:
                uncompressed = values.pop(0)
            if compressed == 0xFFFFFFFF and values:
                compressed = values.pop(0)
            break
        position += 4 + length
    return uncompressed, compressed
