"""`flask bench-redaction`: time making the jury copy of a 10-page PDF with photos.

A row of `make bench` ("Other measurements"): the PDF is rebuilt (page content only, each
photo decoded and re-encoded without metadata), then every page that names the applicant
is rendered with black boxes, and the text version is made — everything a juror's copy
costs when staff approve an entry. Needs no database.
"""
import io
import os
import statistics
import time
import types

import click

from awards import fields

PAGES = 10
GOAL_SECONDS = 3.0


def _photo(seed):
    """A 1600 × 1200 photo-like JPEG (noise over a gradient) with EXIF author and GPS."""
    from PIL import Image, ImageFilter

    gradient = Image.linear_gradient("L").resize((1600, 1200))
    noise = Image.effect_noise((1600, 1200), 40 + seed).filter(ImageFilter.GaussianBlur(1))
    img = Image.merge("RGB", (gradient, noise, gradient.rotate(90, expand=False)))
    exif = Image.Exif()
    exif[0x013B] = "Mirela Quandt"
    exif[0x8825] = {1: "N", 2: (48.0, 15.0, 0.0), 3: "E", 4: (11.0, 26.0, 0.0)}
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=88, exif=exif.tobytes(), comment=b"Quastwerk Sommerfest")
    return out.getvalue()


def sample_pdf():
    """Ten A4 pages, each with a heading, two paragraphs naming the club and a photo."""
    import base64

    import weasyprint

    pages = []
    for n in range(1, PAGES + 1):
        photo = base64.b64encode(_photo(n)).decode()
        pages.append(
            f'<section style="page-break-after: always"><h1>Bericht, Teil {n}</h1>'
            f"<p>Der Verein Quastwerk e.V. aus Dachau lädt jede Woche zum Nähcafé ein. "
            f"Ansprechpartnerin ist Mirela Quandt, erreichbar unter post@quastwerk-dachau.de "
            f"oder 08131 556677.</p><p>{'Begegnung im Alltag, Sprache und Handwerk. ' * 12}</p>"
            f'<img src="data:image/jpeg;base64,{photo}" style="width: 15cm"></section>')
    html = ("<html><head><title>Jahresbericht Quastwerk</title><meta name='author' "
            "content='Mirela Quandt'></head><body>" + "".join(pages) + "</body></html>")
    return weasyprint.HTML(string=html).write_pdf()


def _ids():
    from awards.services.jury import anonymisation

    values = {name: "" for name in fields.names(identifying=True)}
    values.update(org_name="Quastwerk e.V.", contact_name="Mirela Quandt", city="Dachau",
                  email="post@quastwerk-dachau.de", phone="08131 556677")
    return anonymisation.identifiers_for(types.SimpleNamespace(**values))


def redaction_row(runs=3):
    from awards.adapters import pdfrewrite
    from awards.services.jury import anonymisation

    data = sample_pdf()
    ids = _ids()
    times, cpu_times, result = [], [], None
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        rebuilt = pdfrewrite.rebuild_pdf(data)
        result = pdfrewrite.redact_pdf(rebuilt, lambda text: [
            (h.start, h.end) for h in anonymisation.find_hits(text, ids)])
        [anonymisation.redact(page.text, ids) for page in result.pages]
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
    seconds, cpu = statistics.median(times), statistics.median(cpu_times)
    redacted = sum(1 for page in result.pages if page.spans)
    ok = seconds < GOAL_SECONDS
    return (f"BENCHROW | Jury copy of a {PAGES}-page PDF with {PAGES} photos "
            f"({len(data) / 2**20:.1f} MB): rebuilt, {redacted} pages redacted, text version "
            f"| {seconds:.2f} s (median of {runs}; CPU time of the process {cpu:.2f} s; load "
            f"average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores) | under {GOAL_SECONDS:.0f} s | {'yes' if ok else 'NO'} |")


def register(app):
    @app.cli.command("bench-redaction")
    @click.option("--runs", default=3, show_default=True, help="Runs; the median is reported.")
    def bench_redaction(runs):
        """Measure making the redacted jury copy of a 10-page PDF with photos."""
        click.echo(redaction_row(runs))
