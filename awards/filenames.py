"""Content-Disposition headers that work for any file name (RFC 6266 with RFC 5987).

A header carries only Latin-1 safely, and a quote or line break in a name would break it
(a WSGI server cannot send "Ayşe" at all: the download hangs). So every download names its
file twice: `filename="..."` with an ASCII stand-in for old clients and
`filename*=UTF-8''...` with the real name, percent-encoded, which browsers prefer.
"""
import re
import unicodedata
from urllib.parse import quote

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_UNSAFE_ASCII = re.compile(r'[^A-Za-z0-9 !#$&\'()+,\-.;=@\[\]^_`{}~]')
# RFC 5987 attr-char besides letters and digits.
_ATTR_CHARS = "!#$&+-.^_`|~"


def clean_filename(name, default="download"):
    """The name without control characters (CR/LF included), path parts or outer spaces."""
    name = _CONTROL.sub(" ", str(name or ""))
    name = name.replace("/", "_").replace("\\", "_").strip().strip(".")
    return name or default


def ascii_filename(name, default="download"):
    """An ASCII stand-in: accents dropped (ş -> s, ä -> a), anything else becomes "_"."""
    name = clean_filename(name, default)
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = _UNSAFE_ASCII.sub("_", plain.replace("ß", "ss"))
    return plain.strip() or default


def content_disposition(name, *, inline=False):
    """The header value for a download named `name` (any characters)."""
    kind = "inline" if inline else "attachment"
    real = clean_filename(name)
    fallback = ascii_filename(real)
    header = f'{kind}; filename="{fallback}"'
    if real != fallback:
        header += f"; filename*=UTF-8''{quote(real, safe=_ATTR_CHARS)}"
    return header
