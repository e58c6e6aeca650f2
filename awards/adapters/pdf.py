"""PDF rendering with WeasyPrint through a fetcher that loads only our own assets.

Documents refer to assets as `/static/...` (the app's static folder) or `/stored/<key>`
(files in the storage adapter, e.g. an uploaded logo). Every other URL — file:, http(s)
to anywhere else, ftp — is refused, so user-controlled HTML cannot read local files or
reach the network. data: URLs (inline QR codes) are allowed.

Documents people keep (receipt, certificate, minutes, press release) are rendered as
ARCHIVAL_ACCESSIBLE: PDF/A-3a, which makes WeasyPrint tag the content (structure tree from
the HTML: H1.., P, Table, Figure with the <img alt>, /Lang from <html lang>, MarkInfo,
DisplayDocTitle), plus the PDF/UA-1 identification in the XMP metadata. WeasyPrint writes
one identification per variant, so the PDF/UA one is added afterwards together with the
PDF/A extension schema that PDF/A requires for the pdfuaid namespace. In the same pass the
content of the page margins (the running footer "Seite 1 von 2") becomes a pagination
artifact: WeasyPrint tags it but leaves its elements out of the structure tree, so it was
neither real content nor an artifact (PDF/UA-1 7.1; WeasyPrint issue #1836).
"""
import io
import logging
import mimetypes
from pathlib import Path

import pikepdf

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger("awards.pdf")

BASE_URL = "https://pdf.awards.invalid/"
ARCHIVAL_ACCESSIBLE = "pdf/a-3a+ua-1"

# The PDF/UA identification and its PDF/A extension schema (ISO 19005-3, 6.6.2.3.3: every
# property outside the predefined schemas must be described in the XMP itself).
_PDFUA_XMP = b"""<rdf:Description rdf:about=""
 xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
 xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA identification schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Part of ISO 14289 the document conforms to</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"><pdfuaid:part>1</pdfuaid:part></rdf:Description>
"""


class RefusedURL(ValueError):
    """The document asked for a resource outside the allowed set."""


class SafeFetcher(URLFetcher):
    def __init__(self, *, static_dir, storage=None):
        super().__init__(timeout=5, allowed_protocols=("https", "data"), allow_redirects=False)
        self.static_dir = Path(static_dir).resolve()
        self.storage = storage
        self.refused = []

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if not url.startswith(BASE_URL):
            self.refused.append(url)
            log.warning("PDF resource refused: %s", url[:200])
            raise RefusedURL(f"refused: {url[:200]}")
        path = url[len(BASE_URL):].split("?", 1)[0].split("#", 1)[0]
        if path.startswith("static/"):
            target = (self.static_dir / path[len("static/"):]).resolve()
            if not target.is_relative_to(self.static_dir) or not target.is_file():
                self.refused.append(url)
                raise RefusedURL(f"no such asset: {path}")
            content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": content_type})
        if path.startswith("stored/") and self.storage is not None:
            key = path[len("stored/"):]
            data = self.storage.read(key)
            content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
            return URLFetcherResponse(url, data, {"Content-Type": content_type})
        self.refused.append(url)
        raise RefusedURL(f"refused: {url[:200]}")


def render_pdf(html, *, static_dir, storage=None, pdf_variant=None, metadata=None):
    """Render an HTML string to PDF bytes. pdf_variant e.g. "pdf/a-3b" or ARCHIVAL_ACCESSIBLE."""
    fetcher = SafeFetcher(static_dir=static_dir, storage=storage)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    options = {}
    accessible = pdf_variant == ARCHIVAL_ACCESSIBLE
    if accessible:
        options["pdf_variant"] = "pdf/a-3a"
        options["pdf_tags"] = True
    elif pdf_variant:
        options["pdf_variant"] = pdf_variant
    if metadata:
        options["custom_metadata"] = True
    data = document.write_pdf(**options)
    return add_pdfua_identification(data) if accessible else data


def add_pdfua_identification(data):
    """Declare PDF/UA-1 in the XMP metadata of a tagged PDF/A file, and mark the content
    that is outside the structure tree as artifacts (bytes in, bytes out)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        stream = pdf.Root.Metadata
        xmp = stream.read_bytes()
        end = xmp.rfind(b"</rdf:RDF>")
        if end < 0:
            raise ValueError("XMP metadata without rdf:RDF")
        stream.write(xmp[:end] + _PDFUA_XMP + xmp[end:])
        mark_content_outside_tree_as_artifacts(pdf)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def _reachable_elements(struct_tree_root):
    """The object ids of every structure element below the structure tree root."""
    found, todo = set(), [struct_tree_root]
    while todo:
        kids = todo.pop().get("/K")
        if kids is None:
            continue
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid and kid.objgen not in found:
                found.add(kid.objgen)
                todo.append(kid)
    return found


def mark_content_outside_tree_as_artifacts(pdf):
    """Turn marked content whose structure element is not in the structure tree into
    pagination artifacts, and drop it from the parent tree.

    WeasyPrint tags the content of the page margin boxes (@bottom-center …) but does not
    link those elements into the tree (tags.py: "could be included in tree as Artifact,
    but that's only allowed in PDF 2.0"). Assistive technology reading the tree skips that
    content, and PDF/UA-1 7.1 wants it declared: running headers and footers are artifacts
    of type Pagination. Only marked-content sequences whose MCID maps (through the page's
    /StructParents entry of the parent tree) to an element unreachable from the root are
    changed; everything in the tree stays as WeasyPrint wrote it.
    """
    root = pdf.Root.get("/StructTreeRoot")
    if root is None or "/ParentTree" not in root or "/Nums" not in root.ParentTree:
        return
    reachable = _reachable_elements(root)
    nums = root.ParentTree.Nums
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums) - 1, 2)}
    for page in pdf.pages:
        mcid_parents = parents.get(int(page.obj.get("/StructParents", -1)))
        if not isinstance(mcid_parents, pikepdf.Array):
            continue
        outside = {mcid for mcid, element in enumerate(mcid_parents)
                   if isinstance(element, pikepdf.Dictionary) and element.objgen not in reachable}
        if not outside:
            continue
        instructions = []
        for instruction in pikepdf.parse_content_stream(page):
            if (isinstance(instruction, pikepdf.ContentStreamInstruction)
                    and str(instruction.operator) == "BDC"
                    and isinstance(instruction.operands[-1], pikepdf.Dictionary)
                    and instruction.operands[-1].get("/MCID") in outside):
                instruction = pikepdf.ContentStreamInstruction(
                    [pikepdf.Name.Artifact, pikepdf.Dictionary(Type=pikepdf.Name.Pagination)],
                    pikepdf.Operator("BDC"))
            instructions.append(instruction)
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
        # An artifact has no MCID and no parent: its slot is emptied, and trailing empty slots
        # (the margins are drawn last, so usually all of them) are removed.
        for mcid in outside:
            mcid_parents[mcid] = None
        while len(mcid_parents) and mcid_parents[len(mcid_parents) - 1] is None:
            del mcid_parents[len(mcid_parents) - 1]
