#!/usr/bin/env python3
"""Certificate benchmark: prints a Markdown table.

1. Rendering one certificate through our path (template, QR code, safe URL fetcher, stored
   TrueType fonts, tagged PDF/A-3a + PDF/UA-1) compared with rendering the very same HTML with plain
   WeasyPrint (default fetcher, file: URLs, same tagged PDF/A-3a variant) in the same process.
   Goal: at most 1.3×.
2. Downloading a certificate: the first download (renders and stores it) against a repeated
   download (served from storage), through the real route as the laureate.
   Goal: repeated at least 20× faster.
3. All certificates of a 50-winner year as one ZIP: cold (rendering all) and warm (stored).

Runs on a throw-away SQLite database and storage directory:
    .venv/bin/python bench/bench_certificates.py [--repeat 7]
"""
import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("AWARDS_ENV", "testing")


def timed(fn, repeat):
    samples = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--winners", type=int, default=50)
    args = parser.parse_args()

    import logging

    logging.disable(logging.INFO)
    from weasyprint import HTML

    from awards import create_app
    from awards.adapters.storage import get_storage
    from awards.enums import AllocationMode, CompetitionStatus
    from awards.extensions import db
    from awards.services import certificates, decisions
    from awards.services.jury import release
    from tests import factories

    workdir = Path(tempfile.mkdtemp(prefix="bench-certificates-"))
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{workdir / 'bench.sqlite'}",
                     STORAGE_DIR=str(workdir / "files"))
    rows = []
    with app.app_context():
        db.create_all()
        storage = get_storage()
        comp, winners, _ = factories.released_competition(winners=1, others=0, year=2025)
        db.session.commit()
        application = winners[0]
        decision = decisions.decision_for(application)
        data = certificates.certificate_data(
            competition=comp, application=application, decision=decision,
            settings=certificates.settings_for(comp), code="BENC-HMAR-K234")

        # 1. Our render vs plain WeasyPrint on the same HTML.
        fonts = certificates.font_urls(storage)  # warm the font cache once (as in production)
        html = certificates.render_html(data, fonts=fonts)
        static_dir = Path(app.static_folder)
        storage_dir = Path(app.config["STORAGE_DIR"])
        plain_html = (html.replace('"/static/', f'"{static_dir.as_uri()}/')
                      .replace('"/stored/', f'"{storage_dir.as_uri()}/'))
        ours = lambda: certificates.render_certificate_pdf(data, storage=storage)  # noqa: E731
        plain = lambda: HTML(string=plain_html, base_url=str(ROOT)).write_pdf(pdf_variant="pdf/a-3a")  # noqa: E731
        ours(), plain()  # warm-up: imports, fontconfig
        t_plain, _ = timed(plain, args.repeat)
        t_ours, pdf = timed(ours, args.repeat)
        ratio = t_ours / t_plain
        rows.append(("Eine Urkunde rendern (unser Weg: Vorlage, QR, sicherer Fetcher, PDF/A-3a mit PDF/UA-1)",
                     f"{t_ours * 1000:.0f} ms", f"{ratio:.2f}× WeasyPrint pur ({t_plain * 1000:.0f} ms)",
                     "≤ 1,3×", "ja" if ratio <= 1.3 else "nein"))

        # 2. First download vs repeated download through the route.
        client = app.test_client()
        client.post("/konto/anmelden", data={"email": application.owner.email,
                                              "password": factories.PASSWORD})
        start = time.perf_counter()
        first = client.get(f"/urkunde/{application.id}")
        t_first = time.perf_counter() - start
        assert first.status_code == 200 and first.data[:5] == b"%PDF-", first.status_code
        t_again, again = timed(lambda: client.get(f"/urkunde/{application.id}"), max(args.repeat, 15))
        assert again.data == first.data
        speedup = t_first / t_again
        rows.append(("Download: erster Abruf (rendern + speichern) / wiederholter Abruf (aus dem Speicher)",
                     f"{t_first * 1000:.0f} ms / {t_again * 1000:.1f} ms", f"{speedup:.0f}× schneller",
                     "≥ 20×", "ja" if speedup >= 20 else "nein"))

        # 3. ZIP of a 50-winner year.
        big = factories.competition(status=CompetitionStatus.JURY, year=2024,
                                    allocation_mode=AllocationMode.FREE, budget_cents=5_000_000,
                                    categories=[("Preis", 1, 100000, args.winners)])
        for _ in range(args.winners):
            factories.decide(factories.submitted_application(big, admissible=True), amount_cents=100000)
        release.release_decisions(actor=None, competition=big)
        db.session.commit()

        def build_zip():
            entries = certificates.ensure_all(actor=None, competition=big, storage=storage)
            db.session.commit()
            files = [(certificates.download_name(a, big), c.storage_key) for c, a in entries]
            return b"".join(certificates.zip_stream(files, storage=storage))

        start = time.perf_counter()
        archive = build_zip()
        t_cold = time.perf_counter() - start
        t_warm, archive_warm = timed(build_zip, 3)
        names = zipfile.ZipFile(io.BytesIO(archive_warm)).namelist()
        assert len(names) == args.winners
        rows.append((f"ZIP aller {args.winners} Urkunden eines Jahrgangs: erstmals / erneut",
                     f"{t_cold:.1f} s / {t_warm * 1000:.0f} ms",
                     f"{len(archive) / 1e6:.1f} MB, {t_cold / args.winners * 1000:.0f} ms je Urkunde",
                     "–", "–"))

    print("| Messung | Zeit | Vergleich | Ziel | erreicht |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print(f"Median aus {args.repeat} Läufen; Python {sys.version.split()[0]}, "
          f"PDF {len(pdf) / 1024:.0f} KB.")


if __name__ == "__main__":
    main()
