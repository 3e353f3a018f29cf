"""Write ``X.gz`` (gzip -9) and ``X.br`` (brotli, Node's zlib) next to ``X``, cached by content.

The dev server serves these variants with ``Content-Encoding``
(alloy_py_dev/precompressed.py); a deployment can use them as they are
(nginx ``gzip_static``/``brotli_static``). Brotli quality 11 takes about 80 s
for the 30 MB snapshot on a small machine, so results are cached in
build/compressed/ by the file's sha256 and the quality; ``BROTLI_QUALITY=9``
(5 s, about 20 % bigger) is for quick development builds.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "build" / "compressed"

_BROTLI = ("const z=require('zlib'),fs=require('fs');const d=fs.readFileSync(process.argv[1]);"
           "fs.writeFileSync(process.argv[2],z.brotliCompressSync(d,{params:{"
           "[z.constants.BROTLI_PARAM_QUALITY]:Number(process.argv[3]),[z.constants.BROTLI_PARAM_LGWIN]:24,"
           "[z.constants.BROTLI_PARAM_SIZE_HINT]:d.length}}))")


def quality() -> int:
    return int(os.environ.get("BROTLI_QUALITY", "11"))


def precompress(path: Path) -> list[Path]:
    """Write ``path.gz`` and ``path.br`` (from the cache when possible); return them."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:24]
    q = quality()
    cached = {".gz": CACHE / f"{digest}.gz", ".br": CACHE / f"{digest}.q{q}.br"}
    CACHE.mkdir(parents=True, exist_ok=True)
    if not cached[".gz"].is_file():
        tmp = cached[".gz"].with_suffix(".tmp")
        tmp.write_bytes(gzip.compress(path.read_bytes(), 9, mtime=0))
        tmp.replace(cached[".gz"])
    if not cached[".br"].is_file():
        tmp = cached[".br"].with_suffix(".tmp")
        subprocess.run(["node", "-e", _BROTLI, str(path), str(tmp), str(q)], check=True)
        tmp.replace(cached[".br"])
    out = []
    for suffix, source in cached.items():
        target = path.with_name(path.name + suffix)
        shutil.copyfile(source, target)
        out.append(target)
    return out
