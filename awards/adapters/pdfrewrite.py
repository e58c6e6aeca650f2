"""Rebuild, redact, render and read PDFs and images for the jury: bytes in, bytes out.

A jury copy is *rebuilt*, not cleaned. Cleaning (deleting the keys one knows about) leaves
everything one did not think of; rebuilding copies into a new, empty PDF only what draws
the page — content streams re-serialised from their parsed operators, and the fonts,
images, graphics states, colour spaces, patterns and shadings the content actually uses,
each through a list of allowed keys. Everything else (document info, XMP on document,
page and image objects, annotations and form fields, embedded files, JavaScript and
actions, outlines, page labels, thumbnails, the structure tree, unused objects) is simply
never copied. Raster images are decoded and re-encoded from their pixels, so no EXIF, XMP,
ICC profile or comment survives. A page whose drawing cannot be rebuilt this way (an exotic
colour space, an image codec we cannot decode) is rendered to a picture instead.

Redaction blacks out spans of the page text by *rasterising the affected pages* (pypdfium2
renders the page with black boxes drawn over the spans; the page is replaced by that
picture). We chose this over removing text objects because text objects do not map
cleanly to words: a name may be split across several show operators, drawn by a Type 3
font or as vector outlines, repeated in a form XObject shared with other pages, or
hidden under an image — removing operators risks leaving the glyphs visible or wiping more
than the name. A rendered page holds exactly what was visible, with the boxes burnt in;
nothing remains under a box. The page loses its text layer, which the accessible text
version (the page text with "[geschwärzt]") makes up for. Pages without a finding keep
their vector text.

Word positions come from pypdfium2's text page too (same engine that renders, so boxes and
glyphs agree, and it is several times faster than a pure-Python text extractor).

This module knows nothing about applications: callers pass a function that finds the spans
to redact in a text, and the terms to look for.
"""
import io
import re
import zlib
from dataclasses import dataclass, field

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import ExifTags, Image, ImageOps, IptcImagePlugin
from pikepdf import Array, Dictionary, Name

# Resolution of rasterised (redacted or not rebuildable) pages.
RASTER_DPI = 150
RASTER_JPEG_QUALITY = 85
IMAGE_JPEG_QUALITY = 90
# Padding around a redaction box, in PDF points.
BOX_PADDING = 1.5


class FileRewriteError(Exception):
    """The file cannot be read as a PDF or image at all."""


class _Unrebuildable(Exception):
    """Part of a page cannot be copied faithfully: the page is rendered instead."""


# --------------------------------------------------------------------------- images

def rebuild_image(data, content_type):
    """The pixels only, re-encoded: no EXIF (GPS), XMP, IPTC, ICC, comments or text chunks."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            img = ImageOps.exif_transpose(img)
            if img.mode not in ("RGB", "RGBA", "L"):
                img = img.convert("RGBA" if content_type == "image/png" else "RGB")
            if content_type == "image/jpeg" and img.mode == "RGBA":
                img = img.convert("RGB")
            # A new image from the raw pixels carries no `info` (comments, ICC, text).
            clean = Image.frombytes(img.mode, img.size, img.tobytes())
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise FileRewriteError(str(exc)) from exc
    out = io.BytesIO()
    if content_type == "image/png":
        clean.save(out, format="PNG")
    else:
        clean.save(out, format="JPEG", quality=IMAGE_JPEG_QUALITY)
    return out.getvalue()


# --------------------------------------------------------------------------- PDF rebuild

# Keys allowed per kind of object; anything not listed is not copied.
FONT_KEYS = {"/Type", "/Subtype", "/BaseFont", "/FirstChar", "/LastChar", "/Widths",
             "/FontDescriptor", "/Encoding", "/ToUnicode", "/DescendantFonts", "/CIDSystemInfo",
             "/W", "/W2", "/DW", "/DW2", "/CIDToGIDMap", "/FontBBox", "/FontMatrix", "/CharProcs",
             "/Resources", "/Name"}
FONT_DESCRIPTOR_KEYS = {"/Type", "/FontName", "/FontStretch", "/FontWeight", "/Flags",
                        "/FontBBox", "/ItalicAngle", "/Ascent", "/Descent", "/Leading",
                        "/CapHeight", "/XHeight", "/StemV", "/StemH", "/AvgWidth", "/MaxWidth",
                        "/MissingWidth", "/FontFile", "/FontFile2", "/FontFile3", "/CharSet",
                        "/Style", "/Lang", "/FD", "/CIDSet"}
FONT_FILE_KEYS = {"/Length1", "/Length2", "/Length3", "/Subtype"}
EXTGSTATE_KEYS = {"/Type", "/LW", "/LC", "/LJ", "/ML", "/D", "/RI", "/OP", "/op", "/OPM",
                  "/Font", "/BG", "/BG2", "/UCR", "/UCR2", "/TR", "/TR2", "/HT", "/FL", "/SM",
                  "/SA", "/BM", "/SMask", "/CA", "/ca", "/AIS", "/TK"}
SOFT_MASK_KEYS = {"/Type", "/S", "/G", "/BC", "/TR"}
GROUP_KEYS = {"/Type", "/S", "/CS", "/I", "/K"}
PATTERN_KEYS = {"/Type", "/PatternType", "/PaintType", "/TilingType", "/BBox", "/XStep",
                "/YStep", "/Resources", "/Matrix", "/Shading", "/ExtGState"}
SHADING_KEYS = {"/ShadingType", "/ColorSpace", "/Background", "/BBox", "/AntiAlias",
                "/Domain", "/Coords", "/Matrix", "/Function", "/Extend", "/BitsPerCoordinate",
                "/BitsPerComponent", "/BitsPerFlag", "/Decode", "/VerticesPerRow"}
FUNCTION_KEYS = {"/FunctionType", "/Domain", "/Range", "/Size", "/BitsPerSample", "/Order",
                 "/Encode", "/Decode", "/C0", "/C1", "/N", "/Functions", "/Bounds"}
FORM_KEYS = {"/Type", "/Subtype", "/FormType", "/BBox", "/Matrix", "/Resources", "/Group"}
RESOURCE_KINDS = ("/Font", "/XObject", "/ExtGState", "/ColorSpace", "/Pattern", "/Shading")
# Operators whose first operand names a resource, and of which kind.
RESOURCE_OPERATORS = {"Tf": "/Font", "Do": "/XObject", "gs": "/ExtGState", "cs": "/ColorSpace",
                      "CS": "/ColorSpace", "sh": "/Shading"}
STREAM_FILTER_KEYS = {"/Filter", "/DecodeParms"}


class _Copier:
    """Copies the drawing of pages from `src` into the new PDF `out`, allow-listed."""

    def __init__(self, out):
        self.out = out
        self.memo = {}

    # -- generic helpers
    def _memo(self, obj, build):
        if obj.is_indirect:
            key = obj.objgen
            if key not in self.memo:
                self.memo[key] = None  # cycles: a placeholder (fonts never refer to themselves)
                self.memo[key] = build()
            found = self.memo[key]
            if found is None:
                raise _Unrebuildable("reference cycle")
            return found
        return build()

    def _indirect(self, value):
        return self.out.make_indirect(value)

    def value(self, obj, allowed=None):
        """Copy a plain value; dictionaries keep only `allowed` keys (all if None)."""
        if isinstance(obj, pikepdf.Stream):
            raise _Unrebuildable("unexpected stream")
        if isinstance(obj, Dictionary):
            new = Dictionary()
            for key in obj.keys():
                if allowed is not None and key not in allowed:
                    continue
                if key in ("/Metadata", "/PieceInfo", "/LastModified", "/AF", "/OC"):
                    continue
                new[key] = self.any(obj[key])
            return new
        if isinstance(obj, Array):
            if len(obj) and obj[0] == Name.ICCBased:
                return self.colour_space(obj)
            return Array([self.any(item) for item in obj])
        return obj

    def any(self, obj):
        """Copy a value of an unknown kind, recognising streams by their type."""
        if isinstance(obj, pikepdf.Stream):
            subtype = obj.get("/Subtype")
            if subtype == Name.Image:
                return self.image(obj)
            if subtype == Name.Form:
                return self.form(obj)
            if "/FunctionType" in obj:
                return self.data_stream(obj, FUNCTION_KEYS)
            if "/PatternType" in obj:
                return self.pattern(obj)
            if "/ShadingType" in obj:
                return self.data_stream(obj, SHADING_KEYS)
            raise _Unrebuildable("stream of unknown kind")
        if isinstance(obj, Dictionary):
            if obj.is_indirect:
                return self._memo(obj, lambda: self._indirect(self.value(obj, self._allowed(obj))))
            return self.value(obj, self._allowed(obj))
        return self.value(obj)

    @staticmethod
    def _allowed(obj):
        if "/FunctionType" in obj:
            return FUNCTION_KEYS
        if "/ShadingType" in obj:
            return SHADING_KEYS
        if "/PatternType" in obj:
            return PATTERN_KEYS
        if obj.get("/Type") == Name.ExtGState:
            return EXTGSTATE_KEYS
        if obj.get("/Type") == Name.Mask or "/G" in obj and "/S" in obj:
            return SOFT_MASK_KEYS
        if obj.get("/S") == Name.Transparency:
            return GROUP_KEYS
        return None

    def data_stream(self, obj, allowed):
        """Streams that are data, not drawing (functions, font programs, CMaps)."""
        def build():
            raw = obj.read_raw_bytes()
            new = pikepdf.Stream(self.out, raw)
            for key in obj.keys():
                if key in STREAM_FILTER_KEYS:
                    new[key] = self.value(obj[key])
                elif key in allowed and key not in ("/Length",):
                    new[key] = self.any(obj[key])
            return new
        return self._memo(obj, build)

    def colour_space(self, cs):
        """ICC profiles carry descriptions and copyright texts: use the device space."""
        if isinstance(cs, Array) and len(cs) and cs[0] == Name.ICCBased:
            profile = cs[1]
            if "/Alternate" in profile:
                return self.colour_space(profile.Alternate)
            n = int(profile.get("/N", 3))
            return {1: Name.DeviceGray, 3: Name.DeviceRGB, 4: Name.DeviceCMYK}.get(n, Name.DeviceRGB)
        if isinstance(cs, Array):
            # Indexed lookup tables are plain data streams; tint transforms are functions.
            return Array([self.data_stream(item, set()) if isinstance(item, pikepdf.Stream)
                          and "/FunctionType" not in item else self.any(item) for item in cs])
        return cs

    # -- content
    def content(self, instructions, used):
        """Re-serialise parsed content; marked-content properties (ActualText, Alt, ...)
        are dropped, comments vanish with the parse."""
        kept = []
        for item in instructions:
            if isinstance(item, pikepdf.ContentStreamInlineImage):
                cs = item.iimage.obj.get("/CS") if hasattr(item, "iimage") else None
                if isinstance(cs, Name):
                    used["/ColorSpace"].add(str(cs))
                kept.append(item)
                continue
            operands, operator = item.operands, str(item.operator)
            if operator in RESOURCE_OPERATORS and operands and isinstance(operands[0], Name):
                used[RESOURCE_OPERATORS[operator]].add(str(operands[0]))
            elif operator in ("scn", "SCN") and operands and isinstance(operands[-1], Name):
                used["/Pattern"].add(str(operands[-1]))
            elif operator == "BDC":
                kept.append(pikepdf.ContentStreamInstruction([operands[0]], pikepdf.Operator("BMC")))
                continue
            elif operator == "DP":
                kept.append(pikepdf.ContentStreamInstruction([operands[0]], pikepdf.Operator("MP")))
                continue
            kept.append(item)
        return pikepdf.unparse_content_stream(kept)

    def resources(self, resources, used):
        new = Dictionary()
        if resources is None:
            return new
        for kind in RESOURCE_KINDS:
            names = used.get(kind, set())
            table = resources.get(kind)
            if not names or table is None:
                continue
            copied = Dictionary()
            for name in sorted(names):
                if name not in table:
                    continue
                item = table[name]
                if kind == "/Font":
                    copied[name] = self.font(item)
                elif kind == "/ColorSpace":
                    copied[name] = self.colour_space(item)
                elif kind == "/ExtGState":
                    copied[name] = self._memo(item, lambda item=item: self._indirect(
                        self.value(item, EXTGSTATE_KEYS))) if item.is_indirect else self.value(item, EXTGSTATE_KEYS)
                else:
                    copied[name] = self.any(item)
            if len(copied):
                new[kind] = copied
        return new

    def _used(self):
        return {kind: set() for kind in RESOURCE_KINDS}

    def form(self, obj, inherited=None):
        def build():
            used = self._used()
            body = self.content(pikepdf.parse_content_stream(obj), used)
            new = pikepdf.Stream(self.out, body)
            for key in FORM_KEYS:
                if key in obj and key != "/Resources":
                    new[key] = self.value(obj[key], GROUP_KEYS if key == "/Group" else None)
            new.Type, new.Subtype = Name.XObject, Name.Form
            new.Resources = self.resources(obj.get("/Resources", inherited), used)
            return new
        return self._memo(obj, build)

    def pattern(self, obj):
        def build():
            used = self._used()
            body = self.content(pikepdf.parse_content_stream(obj), used)
            new = pikepdf.Stream(self.out, body)
            for key in PATTERN_KEYS:
                if key in obj and key != "/Resources":
                    new[key] = self.any(obj[key])
            new.Resources = self.resources(obj.get("/Resources"), used)
            return new
        if not isinstance(obj, pikepdf.Stream):
            return self.any(obj)
        return self._memo(obj, build)

    def font(self, obj):
        def build():
            new = Dictionary()
            for key in obj.keys():
                if key not in FONT_KEYS:
                    continue
                value = obj[key]
                if key == "/FontDescriptor":
                    new[key] = self.font_descriptor(value)
                elif key == "/DescendantFonts":
                    new[key] = Array([self.font(f) for f in value])
                elif key == "/ToUnicode" or (key in ("/Encoding", "/CIDToGIDMap")
                                             and isinstance(value, pikepdf.Stream)):
                    new[key] = self.data_stream(value, {"/Type", "/CMapName", "/CIDSystemInfo",
                                                        "/WMode", "/UseCMap"})
                elif key == "/CharProcs":
                    procs = Dictionary()
                    for glyph in value.keys():
                        used = self._used()
                        proc = value[glyph]
                        procs[glyph] = self._indirect(pikepdf.Stream(
                            self.out, self.content(pikepdf.parse_content_stream(proc), used)))
                    new[key] = procs
                elif key == "/Resources":
                    new[key] = self.value(value)  # Type 3 glyph resources, rarely used
                else:
                    new[key] = self.value(value)
            return self._indirect(new)
        if not obj.is_indirect:
            return build()
        return self._memo(obj, build)

    def font_descriptor(self, obj):
        def build():
            new = Dictionary()
            for key in obj.keys():
                if key not in FONT_DESCRIPTOR_KEYS:
                    continue
                value = obj[key]
                if key in ("/FontFile", "/FontFile2", "/FontFile3", "/CIDSet"):
                    new[key] = self.data_stream(value, FONT_FILE_KEYS)
                elif key == "/FD":
                    new[key] = self.value(value)
                else:
                    new[key] = self.value(value)
            return self._indirect(new)
        return self._memo(obj, build) if obj.is_indirect else build()

    # -- images
    def image(self, obj):
        return self._memo(obj, lambda: self._reencode(obj))

    def _reencode(self, obj):
        if obj.get("/ImageMask", False):
            # A stencil mask: one bit per pixel, no colour and nothing but the bits to keep.
            data = obj.read_bytes()
            new = pikepdf.Stream(self.out, zlib.compress(data))
            new.Type, new.Subtype, new.Filter = Name.XObject, Name.Image, Name.FlateDecode
            new.Width, new.Height = obj.Width, obj.Height
            new.ImageMask, new.BitsPerComponent = True, 1
            if "/Decode" in obj:
                new.Decode = self.value(obj.Decode)
            return new
        try:
            pil = pikepdf.PdfImage(obj).as_pil_image()
        except Exception as exc:  # noqa: BLE001 - any codec/colour space we cannot decode
            raise _Unrebuildable(f"image not decodable: {exc}") from exc
        if pil.mode in ("P", "PA", "LA", "RGBA", "1", "I", "I;16", "F"):
            pil = pil.convert("L" if pil.mode in ("1", "LA", "I", "I;16", "F") else "RGB")
        if pil.mode not in ("L", "RGB", "CMYK"):
            raise _Unrebuildable(f"image mode {pil.mode}")
        if pil.mode == "CMYK":
            pil = pil.convert("RGB")
        pixels = Image.frombytes(pil.mode, pil.size, pil.tobytes())
        colour = Name.DeviceGray if pixels.mode == "L" else Name.DeviceRGB
        if obj.get("/Filter") in (Name.DCTDecode, Name.JPXDecode) or (
                isinstance(obj.get("/Filter"), Array) and Name.DCTDecode in list(obj.Filter)):
            buf = io.BytesIO()
            pixels.save(buf, format="JPEG", quality=IMAGE_JPEG_QUALITY)
            new = pikepdf.Stream(self.out, buf.getvalue())
            new.Filter = Name.DCTDecode
        else:
            new = pikepdf.Stream(self.out, zlib.compress(pixels.tobytes()))
            new.Filter = Name.FlateDecode
        new.Type, new.Subtype = Name.XObject, Name.Image
        new.Width, new.Height = pixels.size
        new.ColorSpace, new.BitsPerComponent = colour, 8
        for key in ("/Interpolate", "/Intent"):
            if key in obj:
                new[key] = self.value(obj[key])
        if "/SMask" in obj:
            new.SMask = self.image(obj.SMask)
        if "/Mask" in obj:
            mask = obj.Mask
            new.Mask = self.image(mask) if isinstance(mask, pikepdf.Stream) else self.value(mask)
        return new


def _inherited(page_obj, key):
    node, depth = page_obj, 0
    while node is not None and depth < 64:
        if key in node:
            return node[key]
        node = node.get("/Parent")
        depth += 1
    return None


def _box(page_obj):
    media = _inherited(page_obj, "/MediaBox") or Array([0, 0, 612, 792])
    crop = _inherited(page_obj, "/CropBox")
    return [float(v) for v in media], ([float(v) for v in crop] if crop is not None else None)


def _raster_page(out, image_bytes, width_pt, height_pt):
    """A page that is one JPEG picture of the given size."""
    with Image.open(io.BytesIO(image_bytes)) as img:
        px_w, px_h = img.size
        mode = img.mode
    image = pikepdf.Stream(out, image_bytes)
    image.Type, image.Subtype, image.Filter = Name.XObject, Name.Image, Name.DCTDecode
    image.Width, image.Height, image.BitsPerComponent = px_w, px_h, 8
    image.ColorSpace = Name.DeviceGray if mode == "L" else Name.DeviceRGB
    content = f"q {width_pt:.3f} 0 0 {height_pt:.3f} 0 0 cm /Im0 Do Q".encode()
    page = Dictionary(Type=Name.Page, MediaBox=Array([0, 0, width_pt, height_pt]),
                      Resources=Dictionary(XObject=Dictionary(Im0=out.make_indirect(image))),
                      Contents=out.make_indirect(pikepdf.Stream(out, content)))
    return pikepdf.Page(out.make_indirect(page))


def _render_jpeg(pdfium_page, boxes=()):
    """Render one page (annotations and form fields not drawn) with black boxes burnt in."""
    for left, bottom, right, top in boxes:
        rect = pdfium_c.FPDFPageObj_CreateNewRect(left, bottom, right - left, top - bottom)
        pdfium_c.FPDFPageObj_SetFillColor(rect, 0, 0, 0, 255)
        pdfium_c.FPDFPath_SetDrawMode(rect, pdfium_c.FPDF_FILLMODE_WINDING, False)
        pdfium_c.FPDFPage_InsertObject(pdfium_page, rect)
    bitmap = pdfium_page.render(scale=RASTER_DPI / 72, may_draw_forms=False, draw_annots=False,
                                rev_byteorder=True)
    img = bitmap.to_pil()
    if img.mode != "RGB":
        img = img.convert("RGB")
    width_pt, height_pt = img.size[0] * 72 / RASTER_DPI, img.size[1] * 72 / RASTER_DPI
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=RASTER_JPEG_QUALITY)
    return buf.getvalue(), width_pt, height_pt


def _open(data):
    try:
        return pikepdf.open(io.BytesIO(data))
    except (pikepdf.PdfError, pikepdf.PasswordError, ValueError) as exc:
        raise FileRewriteError(str(exc)) from exc


def _save(pdf):
    buf = io.BytesIO()
    # A fresh document ID derived from the content, not the original's.
    pdf.save(buf, compress_streams=True, deterministic_id=True,
             object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return buf.getvalue()


def rebuild_pdf(data):
    """A new PDF holding only the drawing of each page (see the module docstring)."""
    with _open(data) as src:
        out = pikepdf.new()
        copier = _Copier(out)
        fallback_pages = []
        for number, page in enumerate(src.pages):
            try:
                out.pages.append(_rebuild_page(copier, out, page.obj))
            except (_Unrebuildable, pikepdf.PdfError, KeyError, TypeError, ValueError):
                out.pages.append(pikepdf.Page(out.make_indirect(Dictionary(
                    Type=Name.Page, MediaBox=Array([0, 0, 1, 1])))))
                fallback_pages.append(number)
        if fallback_pages:
            doc = pdfium.PdfDocument(data)
            try:
                for number in fallback_pages:
                    jpeg, w, h = _render_jpeg(doc[number])
                    out.pages[number] = _raster_page(out, jpeg, w, h)
            finally:
                doc.close()
        return _save(out)


def _rebuild_page(copier, out, page_obj):
    media, crop = _box(page_obj)
    # Inline images become image XObjects, so that they are re-encoded like every other
    # image (an inline image's dictionary may carry keys of its own).
    pikepdf.Page(page_obj).externalize_inline_images()
    used = copier._used()
    body = copier.content(pikepdf.parse_content_stream(pikepdf.Page(page_obj)), used)
    new = Dictionary(Type=Name.Page, MediaBox=Array(media))
    if crop is not None:
        new.CropBox = Array(crop)
    rotate = _inherited(page_obj, "/Rotate")
    if rotate is not None and int(rotate) % 360:
        new.Rotate = int(rotate) % 360
    if "/UserUnit" in page_obj:
        new.UserUnit = page_obj.UserUnit
    if "/Group" in page_obj:
        new.Group = copier.value(page_obj.Group, GROUP_KEYS)
    new.Resources = copier.resources(_inherited(page_obj, "/Resources"), used)
    new.Contents = out.make_indirect(pikepdf.Stream(out, body))
    return pikepdf.Page(out.make_indirect(new))


# --------------------------------------------------------------------------- text, redaction

@dataclass
class RedactedPage:
    number: int                      # 1-based
    text: str                        # the page text as extracted (unredacted)
    spans: list = field(default_factory=list)   # [(start, end)] redacted in `text`
    boxes: list = field(default_factory=list)   # [(left, bottom, right, top)] in PDF points


@dataclass
class RedactionResult:
    pdf: bytes
    pages: list


def _page_text(textpage):
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count else ""
    if len(text) != count:  # characters outside the BMP: fall back to one call per char
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i) or 0xFFFD) for i in range(count))
    return text


def _span_boxes(textpage, text, start, end):
    """One box per line of the span, from the loose boxes of its characters."""
    boxes = []
    for i in range(start, end):
        if text[i] in "\r\n":
            continue
        left, bottom, right, top = textpage.get_charbox(i, loose=True)
        if right - left <= 0 and top - bottom <= 0:
            continue
        if boxes and abs(boxes[-1][1] - bottom) < 0.5 * (top - bottom) and left >= boxes[-1][0] - 1:
            b = boxes[-1]
            boxes[-1] = [min(b[0], left), min(b[1], bottom), max(b[2], right), max(b[3], top)]
        else:
            boxes.append([left, bottom, right, top])
    p = BOX_PADDING
    return [(b[0] - p, b[1] - p, b[2] + p, b[3] + p) for b in boxes]


def _merge(spans):
    """Overlapping or touching spans as one (one box for "Verein Brücke e.V." and "Brücke")."""
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [tuple(m) for m in merged]


def page_texts(data):
    """The extracted text of each page (what a juror's viewer would let them copy)."""
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise FileRewriteError(str(exc)) from exc
    try:
        return [_page_text(page.get_textpage()) for page in doc]
    finally:
        doc.close()


def redact_pdf(data, find_spans):
    """Black out what `find_spans(text) -> [(start, end)]` finds in each page's text.

    `data` should be a rebuilt PDF. Pages with a finding are rasterised with the boxes burnt
    in; the others are kept as they are."""
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise FileRewriteError(str(exc)) from exc
    pages, rendered = [], {}
    try:
        for index, page in enumerate(doc):
            textpage = page.get_textpage()
            text = _page_text(textpage)
            spans = _merge(find_spans(text))
            result = RedactedPage(number=index + 1, text=text, spans=spans)
            for start, end in spans:
                result.boxes += _span_boxes(textpage, text, start, end)
            if spans:
                rendered[index] = _render_jpeg(page, result.boxes)
            pages.append(result)
    finally:
        doc.close()
    if not rendered:
        return RedactionResult(pdf=data, pages=pages)
    with _open(data) as pdf:
        for index, (jpeg, w, h) in rendered.items():
            pdf.pages[index] = _raster_page(pdf, jpeg, w, h)
        out = pikepdf.new()
        out.pages.extend(pdf.pages)
        return RedactionResult(pdf=_save(out), pages=pages)


def render_page_png(data, number, *, width=800):
    """Page `number` (1-based) as a PNG `width` pixels wide, as a viewer would show it."""
    doc = pdfium.PdfDocument(data)
    try:
        if number < 1 or number > len(doc):
            return None
        page = doc[number - 1]
        scale = width / max(page.get_width(), 1)
        img = page.render(scale=scale, may_draw_forms=False, draw_annots=False).to_pil()
        buf = io.BytesIO()
        img.convert("RGB").save(buf, format="PNG")
        return buf.getvalue()
    finally:
        doc.close()


def page_count(data):
    doc = pdfium.PdfDocument(data)
    try:
        return len(doc)
    finally:
        doc.close()


# --------------------------------------------------------------------------- reading everything

def _decode_texts(raw):
    """A byte string read every way text may be stored in it."""
    out = [raw.decode("latin-1")]
    utf8 = raw.decode("utf-8", "ignore")
    if utf8 != out[0]:
        out.append(utf8)
    for codec in ("utf-16-be", "utf-16-le"):
        text = raw[:len(raw) // 2 * 2].decode(codec, "ignore")
        if re.search(r"[A-Za-zÄÖÜäöüß]{3}", text):
            out.append(text)
    return out


def _image_metadata(data):
    """Metadata texts of an image file: EXIF (with XPAuthor), XMP, IPTC, comments, PNG text."""
    found = []
    try:
        with Image.open(io.BytesIO(data)) as img:
            for key, value in (img.info or {}).items():
                if isinstance(value, bytes):
                    found += [(f"Bildangabe {key}", t) for t in _decode_texts(value)]
                elif isinstance(value, str):
                    found.append((f"Bildangabe {key}", value))
            exif = img.getexif()
            for tag, value in list(exif.items()) + [
                    (t, v) for ifd in (0x8769, 0x8825) for t, v in exif.get_ifd(ifd).items()]:
                name = ExifTags.TAGS.get(tag, tag)
                if isinstance(value, bytes):
                    found += [(f"EXIF {name}", t) for t in _decode_texts(value)]
                elif isinstance(value, str):
                    found.append((f"EXIF {name}", value))
            for chunk_key in ("applist",):
                for marker, payload in getattr(img, chunk_key, []) or []:
                    found += [(f"JPEG-Segment {marker}", t) for t in _decode_texts(payload)]
    except (OSError, ValueError, Image.DecompressionBombError):
        pass
    return found


def readable_texts(data, content_type):
    """Everything readable in a file a juror gets: [(where, text)].

    PDF: the extracted page text; every string and name of every object (document info,
    annotations, outlines, page labels, form fields, ...); every stream decoded (XMP packets,
    content, embedded files, JavaScript), read as Latin-1, UTF-8 and UTF-16; the metadata of
    embedded JPEG images. Images: their bytes and every metadata item."""
    found = []
    if content_type != "application/pdf":
        found.append(("Datei", data.decode("latin-1")))
        found += _image_metadata(data)
        return found
    try:
        for number, text in enumerate(page_texts(data), start=1):
            found.append((f"Text S. {number}", text))
    except FileRewriteError:
        pass
    # The raw bytes catch what lies outside objects (comments, data after the end).
    found.append(("Datei", data.decode("latin-1")))
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except (pikepdf.PdfError, pikepdf.PasswordError, ValueError):
        return found
    with pdf:
        strings = []

        def collect(value, depth=0):
            if depth > 40:
                return
            if isinstance(value, pikepdf.String):
                strings.append(str(value))
                strings.append(bytes(value).decode("latin-1"))
            elif isinstance(value, Name):
                strings.append(str(value)[1:])
            elif isinstance(value, (Dictionary, pikepdf.Stream)):
                for key in value.keys():
                    item = value.get(key)
                    if isinstance(item, pikepdf.Object) and not item.is_indirect:
                        collect(item, depth + 1)
            elif isinstance(value, Array):
                for item in value:
                    if isinstance(item, pikepdf.Object) and not item.is_indirect:
                        collect(item, depth + 1)

        collect(pdf.trailer)
        for obj in pdf.objects:
            collect(obj)
            if isinstance(obj, pikepdf.Stream):
                where = f"Objekt {obj.objgen[0]}"
                if obj.get("/Subtype") == Name.Image:
                    # Pixels hold no text; a JPEG or JPEG 2000 stream may hold metadata.
                    if obj.get("/Filter") in (Name.DCTDecode, Name.JPXDecode):
                        raw = obj.read_raw_bytes()
                        found.append((where, raw.decode("latin-1")))
                        found += [(f"{where} ({w})", t) for w, t in _image_metadata(raw)]
                    continue
                try:
                    decoded = obj.read_bytes()
                except pikepdf.PdfError:
                    decoded = obj.read_raw_bytes()
                found += [(where, t) for t in _decode_texts(decoded)]
        found += [("Objekte", s) for s in strings if s]
        try:
            with pdf.open_metadata() as meta:
                found += [("XMP", str(v)) for v in meta.values()]
        except Exception:  # noqa: BLE001 - broken XMP is still searched as raw bytes above
            pass
    return found


# --------------------------------------------------------------------------- people in metadata

XMP_PERSON_KEYS = ("dc:creator", "dc:contributor", "dc:rights", "pdf:Author", "xmpRights:Owner",
                   "photoshop:AuthorsPosition", "photoshop:Credit", "Iptc4xmpCore:CreatorContactInfo")
EXIF_PERSON_TAGS = (0x013B, 0x8298, 0x9C9D)  # Artist, Copyright, XPAuthor
PNG_PERSON_KEYS = ("author", "artist", "copyright", "creator", "autor", "urheber")
IPTC_PERSON_TAGS = ((2, 80), (2, 116), (2, 122))  # By-line, Copyright Notice, Writer
# Defaults that authoring software writes and that name nobody.
GENERIC_NAMES = {"user", "admin", "administrator", "owner", "benutzer", "windows-benutzer",
                 "windows user", "microsoft office user", "microsoft office-benutzer", "unknown",
                 "unbekannt", "author", "autor", "none", "default"}

_XMP_CREATOR_RE = re.compile(
    r"<(dc:creator|dc:contributor|dc:rights|xmpRights:Owner|photoshop:Credit)\b[^>]*>(.*?)</\1>|"
    r"\b(pdf:Author|photoshop:Credit)=\"([^\"]*)\"|<(pdf:Author)>(.*?)</pdf:Author>",
    re.DOTALL)
_XML_ITEM_RE = re.compile(r"<rdf:li[^>]*>(.*?)</rdf:li>", re.DOTALL)


def _clean_name(value):
    value = re.sub(r"<[^>]+>", " ", str(value or ""))
    value = re.sub(r"^\s*(?:©|\(c\)|copyright)\s*(?:\d{4}\s*)?", "", value, flags=re.IGNORECASE)
    value = re.sub(r"\s+", " ", value.replace("\x00", "")).strip(" ,;")
    return value if len(value) >= 3 and value.casefold() not in GENERIC_NAMES else ""


def _xmp_names(xml_text):
    names = []
    for m in _XMP_CREATOR_RE.finditer(xml_text):
        body = m.group(2) or m.group(4) or m.group(6) or ""
        items = _XML_ITEM_RE.findall(body) or [body]
        names += [_clean_name(item) for item in items]
    return names


def _image_names(data):
    names = []
    try:
        with Image.open(io.BytesIO(data)) as img:
            exif = img.getexif()
            for tag in EXIF_PERSON_TAGS:
                value = exif.get(tag)
                if isinstance(value, bytes):
                    value = value.decode("utf-16-le" if tag == 0x9C9D else "latin-1", "ignore")
                names.append(_clean_name(value))
            for key, value in (img.info or {}).items():
                if isinstance(key, str) and key.casefold() in PNG_PERSON_KEYS:
                    names.append(_clean_name(value if isinstance(value, str)
                                             else value.decode("utf-8", "ignore")))
                if key in ("xmp", "XML:com.adobe.xmp"):
                    names += _xmp_names(value if isinstance(value, str) else value.decode("utf-8", "ignore"))
            if img.format == "PNG" and "exif" in img.info:
                raw = img.info["exif"]
                sub = Image.Exif()
                sub.load(raw if raw.startswith(b"Exif") else b"Exif\x00\x00" + raw)
                names += [_clean_name(sub.get(tag)) for tag in EXIF_PERSON_TAGS if isinstance(sub.get(tag), str)]
            if img.format == "JPEG":
                iptc = IptcImagePlugin.getiptcinfo(img) or {}
                for tag in IPTC_PERSON_TAGS:
                    values = iptc.get(tag)
                    for value in values if isinstance(values, list) else [values]:
                        if isinstance(value, bytes):
                            names.append(_clean_name(value.decode("utf-8", "ignore")))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        pass
    return names


def metadata_people(data, content_type):
    """Names of people the upload's own metadata carries (authors, artists, creators,
    copyright holders, annotation authors), whether or not the form names them."""
    names = []
    if content_type in ("image/jpeg", "image/png"):
        names = _image_names(data)
    elif content_type == "application/pdf":
        try:
            pdf = pikepdf.open(io.BytesIO(data))
        except (pikepdf.PdfError, pikepdf.PasswordError, ValueError):
            pdf = None
        if pdf is not None:
            with pdf:
                info = pdf.trailer.get("/Info")
                if info is not None:
                    names.append(_clean_name(info.get("/Author")))
                for obj in pdf.objects:
                    if isinstance(obj, pikepdf.Stream):
                        if obj.get("/Type") == Name.Metadata or obj.get("/Subtype") == Name.XML:
                            try:
                                names += _xmp_names(obj.read_bytes().decode("utf-8", "ignore"))
                            except pikepdf.PdfError:
                                pass
                        elif obj.get("/Subtype") == Name.Image and obj.get("/Filter") == Name.DCTDecode:
                            names += _image_names(obj.read_raw_bytes())
                    elif isinstance(obj, Dictionary) and obj.get("/Type") == Name.Annot and "/T" in obj:
                        names.append(_clean_name(obj.get("/T")))
    seen, out = set(), []
    for name in names:
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return out
