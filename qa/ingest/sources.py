"""Finding, decoding and recognising news files: folders expanded, UTF-8 (or gzip) checked
with errors that say how to convert, the format guessed from the name and first line."""

from __future__ import annotations

import gzip
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from qa.errors import InputError

Format = Literal["page", "jsonl", "crud"]
FORMATS: tuple[Format, ...] = ("page", "jsonl", "crud")
SOURCE_SUFFIXES = (".txt", ".jsonl", ".gz")

def expand_sources(paths: Sequence[str | Path]) -> list[Path]:
    """Files named directly, plus the news files (.txt, .jsonl, .gz) inside folders."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.name.endswith(SOURCE_SUFFIXES) and not p.name.startswith(".")
            )
            if not found:
                raise InputError(str(path), "folder holds no .txt, .jsonl or .gz files")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(str(path), "no such file or folder")
    return files


def read_text(path: Path) -> str:
    """Read a file as UTF-8 text (gunzipping if needed) or raise a clear InputError."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(str(path), f"damaged gzip file ({exc})") from exc
    if not data.strip():
        raise InputError(str(path), "file is empty: give a file with at least one article")
    if b"\x00" in data[:65536]:
        offset = data.index(b"\x00")
        raise InputError(
            str(path),
            f"looks like a binary file (NUL byte at offset {offset}): "
            "give UTF-8 text (.txt page, .jsonl or CRUD .txt.gz)",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        hint = ""
        try:
            data.decode("gb18030")
            hint = " It decodes as GBK/GB18030:"
        except UnicodeDecodeError:
            pass
        raise InputError(
            str(path),
            f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}).{hint} "
            f"convert it with `iconv -f GB18030 -t UTF-8 {path} > {path.stem}.utf8{path.suffix}`",
            line=line,
        ) from exc


_CRUD_HEADER = re.compile(r"^[^\n]{0,300}?[,，]\s*正文[:：]")


def detect_format(path: Path, text: str) -> Format:
    """Guess the input kind from the file name and its first line."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".jsonl"):
        return "jsonl"
    first = next((line for line in text.splitlines() if line.strip()), "")
    if _CRUD_HEADER.match(first):
        return "crud"
    return "page"
