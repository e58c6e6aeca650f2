"""`flask bench-data`: a large, realistic data set for benchmarks (issue: scale and speed).

Ten years of all eight prizes (archived, with published winners), and a stress year of the
Bayerischer Integrationspreis with 3,000 applications, 60 jurors and three rounds
(Vorauswahl 5 jurors each, Zwischenrunde 12 each, Finalrunde all 60, 85 % done: about 150,000 criterion
scores), with attachments of realistic size in storage. Rows are inserted in bulk through
SQLAlchemy Core (executemany with RETURNING), so it runs in minutes, not hours.
"""
import io
import json
import random
import secrets
import time
from datetime import datetime, timedelta, timezone

import click
from sqlalchemy import func, insert, select, update

from awards import unit_of_work
from awards.extensions import db

STRESS_APPLICATIONS = 3000
STRESS_JURORS = 60
ROUNDS = (("Vorauswahl", 3000, 5), ("Zwischenrunde", 600, 12), ("Finalrunde", 150, None))
PAST_YEARS = 9
BIP_PER_YEAR = 110
REGIONAL_PER_YEAR = 25

WORDS = (
    "Sprachcafé Patenschaft Nachbarschaft Begegnung Ausbildung Elternarbeit Frauen Jugend "
    "Sport Kultur Theater Musik Kochen Garten Hausaufgabenhilfe Mentoring Lotsen Ehrenamt "
    "Willkommen Dialog Vielfalt Zusammenhalt Beratung Bewerbungstraining Fahrradwerkstatt "
    "Lesepaten Chor Fußball Näherei Handwerk Pflege Kita Schule Verein Gemeinde"
).split()


def _text(rng, words):
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _fake_pdf(size):
    """A valid one-page PDF padded to about `size` bytes with a comment stream."""
    head = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n")
    pad = b"%" + b"x" * 78 + b"\n"
    body = head + pad * max(0, (size - len(head) - 64) // len(pad))
    return body + b"trailer<</Root 1 0 R>>\n%%EOF\n"


def _fake_jpeg(size, seed):
    from PIL import Image

    rng = random.Random(seed)
    side = 900
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    data = out.getvalue()
    return data[: max(size, 1024)] if len(data) > size else data


def _bulk(table, rows, returning=True):
    """Insert rows; returns their ids in order when asked."""
    if not rows:
        return []
    if returning:
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [row[0] for row in db.session.execute(stmt, rows)]
    db.session.execute(insert(table), rows)
    return []


def register(app):
    @app.cli.command("bench-data")
    @click.option("--manifest", type=click.Path(dir_okay=False), required=True,
                  help="Where to write the list of pages to measure (JSON).")
    @click.option("--applications", default=STRESS_APPLICATIONS, show_default=True,
                  help="Applications in the stress year.")
    @click.option("--jurors", default=STRESS_JURORS, show_default=True, help="Jurors in the stress year.")
    @click.option("--past-years", default=PAST_YEARS, show_default=True, help="Archived years before it.")
    @click.option("--seed", default=2026, show_default=True, help="Random seed (same data every run).")
    def bench_data(manifest, applications, jurors, past_years, seed):
        """Generate the large benchmark data set (10 years, a 3,000-application stress year)."""
        from awards.services import publication_state

        started = time.monotonic()
        with unit_of_work.transaction():
            result = generate(applications=applications, jurors=jurors, past_years=past_years,
                              seed=seed)
            # The rows went in as bulk inserts, past the ORM's flush hooks: record the new
            # publication schedule by hand, and let PostgreSQL's planner see the new tables.
            publication_state.bump(db.session.connection())
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        with open(manifest, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=2)
        click.echo(f"Benchmark-Daten erzeugt in {time.monotonic() - started:.0f} s: {result['description']}")

    @app.cli.command("bench-export")
    @click.option("--competition-id", type=int, required=True, help="Competition whose scores to export.")
    def bench_export(competition_id):
        """Measure the streamed XLSX export of every score of a competition (time, memory)."""
        import resource
        import tempfile

        from awards.models.jury import Round
        from awards.services.jury import exports as jury_exports

        rounds = db.session.scalars(select(Round).where(Round.competition_id == competition_id)
                                    .order_by(Round.position)).all()
        rss_before_kb = _current_rss_kb()
        started = time.monotonic()
        counted = {"rows": 0, "values": 0}

        def all_rows():
            for round_ in rounds:
                _, rows = jury_exports.scores_table(round_)
                for row in rows:
                    counted["rows"] += 1
                    counted["values"] += len(round_.criteria)
                    yield [round_.name] + row

        header = ["Runde"] + jury_exports.scores_table(rounds[0])[0]
        with tempfile.TemporaryFile() as out:
            jury_exports.write_xlsx(header, all_rows(), "Bewertungen", out)
            size = out.tell()
        seconds = time.monotonic() - started
        growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before_kb) / 1024
        ok = seconds < 5 and growth_mb < 100
        click.echo(f"BENCHROW | XLSX export of {counted['values']:,} criterion scores "
                   f"({counted['rows']:,} score sheets, {size / 2**20:.1f} MB) | {seconds:.1f} s, "
                   f"peak RSS growth {growth_mb:.0f} MB | under 5 s, under 100 MB | {'yes' if ok else 'NO'} |")


    @app.cli.command("bench-ranking")
    @click.option("--round-id", type=int, required=True, help="Round whose ranking to compute.")
    def bench_ranking(round_id):
        """Measure one full computation of a round's ranking (median of three runs)."""
        click.echo(_ranking_row(round_id))


def _ranking_row(round_id):
    """What the first view after a change of the scores costs (the cache then holds the
    ranking until the next change)."""
    import statistics

    from awards.models.jury import Round, Score, ScoreStatus
    from awards.services.jury import ranking

    round_ = db.session.get(Round, round_id)
    sheets = db.session.scalar(select(func.count(Score.id)).where(
        Score.round_id == round_id, Score.status == ScoreStatus.FINAL))
    times = []
    for _ in range(3):
        started = time.perf_counter()
        data = ranking.compute(round_)
        times.append(time.perf_counter() - started)
    seconds = statistics.median(times)
    return (f"BENCHROW | Staff ranking computed afresh, as after a change of the scores "
            f"({len(data['rows']):,} entries, {sheets:,} score sheets) | {seconds:.2f} s | – | – |")


def _current_rss_kb():
    """Resident set size now (Linux), in kB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def generate(*, applications, jurors, past_years, seed):
    from awards.demo.base import DEMO_PASSWORD, PRIZES, ensure_competition
    from awards.enums import (ApplicantType, ApplicationStatus, CompetitionStatus, FormalCheck,
                              Region, Role)
    from awards.models import Application, Attachment, Competition, RoleAssignment, User
    from awards.models.decisions import Decision, DecisionRelease
    from awards.models.jury import (Assignment, Round, RoundCriterion, RoundEntry, RoundStatus,
                                    Score, ScoreStatus, ScoreValue)
    from awards.reference_data import ensure_districts
    from awards.services.jury import ranking
    from awards.services.accounts import hash_password
    from awards.adapters.storage import get_storage

    rng = random.Random(seed)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    year = now.year
    ensure_districts()
    storage = get_storage()
    password_hash = hash_password(DEMO_PASSWORD)
    app_t, att_t = Application.__table__, Attachment.__table__
    districts_by_region = {}
    from awards.models.reference import District

    for d in db.session.scalars(select(District)):
        districts_by_region.setdefault(d.region, []).append(d.id)

    def user_rows(prefix, count):
        return [dict(email=f"{prefix}{i}@bench.integrationspreis.example", name=f"{prefix.title()} {i}",
                     password_hash=password_hash, email_verified_at=now, active=True,
                     session_id=secrets.token_urlsafe(24), created_at=now, updated_at=now)
                for i in range(1, count + 1)]

    user_t = User.__table__
    owner_ids = _bulk(user_t, user_rows("bewerbung", 400))
    staff_id = _bulk(user_t, user_rows("geschaeftsstelle", 1))[0]
    juror_ids = _bulk(user_t, user_rows("jury", jurors))
    role_t = RoleAssignment.__table__
    _bulk(role_t, [dict(user_id=staff_id, role=Role.STAFF.value, prize_code=None, competition_id=None,
                        is_chair=False, created_at=now, updated_at=now)], returning=False)

    pdf_small, pdf_key_count = _fake_pdf(120_000), 0
    jpeg = _fake_jpeg(600_000, seed)

    def application_rows(comp, count, status, admissible=True):
        rows = []
        region = comp.region
        for i in range(count):
            reg = region or rng.choice(list(Region))
            rows.append(dict(
                competition_id=comp.id, owner_id=rng.choice(owner_ids), status=status.value,
                number=i + 1, reference=f"{comp.prize_code}-{comp.year}-{i + 1:04d}",
                submitted_at=comp.deadline_at - timedelta(days=rng.randint(1, 30)),
                current_step=5, kind="self", applicant_type=rng.choice(list(ApplicantType)).value,
                org_name=f"Beispielverein {comp.prize_code} {comp.year}-{i + 1} e. V. (erfunden)",
                contact_name=f"Ansprechperson {i + 1}", street=f"Musterweg {i % 90 + 1}",
                postcode=f"8{i % 10000:04d}", city="Musterstadt",
                district_id=rng.choice(districts_by_region[reg]), region=reg.value,
                email=f"kontakt{comp.id}-{i + 1}@bench.example", phone="0800 000000",
                website="", project_title=f"{rng.choice(WORDS)}-Projekt {i + 1}",
                summary=_text(rng, 60), description=_text(rng, 250), goals=_text(rng, 40),
                target_group=_text(rng, 20), motto_relation=_text(rng, 30),
                volunteers_count=rng.randint(2, 80), staff_count=rng.randint(0, 5),
                people_reached=20 + (i * 37) % 400,  # not drawn: keeps the random sequence
                partners=_text(rng, 10), funding=_text(rng, 10), previous_awards="",
                consent_privacy=True, consent_truthful=True, consent_publish_name=True,
                consent_publish_text=True, consent_publish_photos=rng.random() < 0.7,
                image_rights_confirmed=True,
                formal_check=(FormalCheck.ADMISSIBLE if admissible else FormalCheck.PENDING).value,
                formal_check_reason="", version=1, created_at=now, updated_at=now,
            ))
        return rows

    # --- ten years of all eight prizes -------------------------------------------------
    past_apps = 0
    for offset in range(past_years, 0, -1):
        y = year - offset
        for code in PRIZES:
            comp = ensure_competition(
                code, y, status=CompetitionStatus.ARCHIVED,
                opens_at=datetime(y, 1, 10, tzinfo=timezone.utc),
                deadline_at=datetime(y, 2, 5, 22, 59, 59, tzinfo=timezone.utc),
                ceremony_at=datetime(y, 5, 20, 16, tzinfo=timezone.utc))
            comp.published_at = comp.publish_at = comp.ceremony_at
            comp.archived_at = comp.ceremony_at + timedelta(days=60)
            db.session.flush()
            count = BIP_PER_YEAR if code == "BIP" else REGIONAL_PER_YEAR
            ids = _bulk(app_t, application_rows(comp, count, ApplicationStatus.SUBMITTED))
            past_apps += len(ids)
            winners = rng.sample(ids, min(3, len(ids)))
            categories = sorted(comp.categories, key=lambda c: c.rank)
            _bulk(Decision.__table__, [
                dict(competition_id=comp.id, application_id=app_id,
                     category_id=categories[min(i, len(categories) - 1)].id,
                     amount_cents=categories[min(i, len(categories) - 1)].amount_cents,
                     rationale="Überzeugendes Projekt mit großer Strahlkraft.", decided_by_id=staff_id,
                     decided_at=comp.ceremony_at - timedelta(days=20), over_budget_reason="",
                     version=1, created_at=now, updated_at=now)
                for i, app_id in enumerate(winners)], returning=False)
            _bulk(DecisionRelease.__table__, [dict(
                competition_id=comp.id, released_at=comp.ceremony_at - timedelta(days=10),
                released_by_id=staff_id, winners_notified=len(winners),
                others_notified=len(ids) - len(winners))], returning=False)

    # --- the stress year -------------------------------------------------------------
    stress = ensure_competition(
        "BIP", year, status=CompetitionStatus.JURY,
        opens_at=now - timedelta(days=60), deadline_at=now - timedelta(days=20),
        ceremony_at=now + timedelta(days=60))
    _bulk(role_t, [dict(user_id=j, role=Role.JUROR.value, prize_code=None, competition_id=stress.id,
                        is_chair=(i == 0), created_at=now, updated_at=now)
                   for i, j in enumerate(juror_ids)], returning=False)
    app_ids = _bulk(app_t, application_rows(stress, applications, ApplicationStatus.SUBMITTED))

    # Attachments: a 120 kB PDF for everyone, a 600 kB photo for every tenth application.
    attachment_rows = []
    for i, app_id in enumerate(app_ids):
        key = f"applications/{app_id}/bench-{i}.pdf"
        storage.save(key, io.BytesIO(pdf_small), "application/pdf")
        pdf_key_count += 1
        attachment_rows.append(dict(application_id=app_id, storage_key=key, filename="Projektbericht.pdf",
                                    content_type="application/pdf", size=len(pdf_small), sha256="0" * 64,
                                    description="Projektbericht", jury_visible=True, created_at=now, updated_at=now))
        if i % 10 == 0:
            key = f"applications/{app_id}/bench-{i}.jpg"
            storage.save(key, io.BytesIO(jpeg), "image/jpeg")
            attachment_rows.append(dict(application_id=app_id, storage_key=key, filename="Foto.jpg",
                                        content_type="image/jpeg", size=len(jpeg), sha256="0" * 64,
                                        description="Foto", jury_visible=False, created_at=now, updated_at=now))
    _bulk(att_t, attachment_rows, returning=False)

    criteria = list(stress.criteria)
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    previous_entries = None  # [(entry_id, app_id)] ranked best first
    total_values = 0
    rounds_info = []
    for position, (name, size, per_app) in enumerate(ROUNDS, start=1):
        last = position == len(ROUNDS)
        round_row = Round(
            competition_id=stress.id, name=name, position=position,
            status=RoundStatus.OPEN if last else RoundStatus.CLOSED,
            anonymised=True, jurors_per_application=per_app,
            opens_at=now - timedelta(days=40 - 10 * position),
            closes_at=now + timedelta(days=30) if last else now - timedelta(days=35 - 10 * position),
            opened_at=now - timedelta(days=40 - 10 * position),
            closed_at=None if last else now - timedelta(days=35 - 10 * position),
        )
        db.session.add(round_row)
        db.session.flush()
        rc_ids = _bulk(RoundCriterion.__table__, [
            dict(round_id=round_row.id, criterion_id=c.id, position=c.position, name=c.name,
                 description=c.description, weight=c.weight, scale_min=c.scale_min,
                 scale_max=c.scale_max, anchors=c.anchors) for c in criteria])
        members = app_ids[:size] if previous_entries is None else [a for _, a in previous_entries[:size]]
        codes = set()
        entry_rows = []
        for app_id in members:
            while True:
                code = f"{round_row.code_prefix}-" + "".join(rng.choice(alphabet) for _ in range(4))
                if code not in codes:
                    codes.add(code)
                    break
            entry_rows.append(dict(
                round_id=round_row.id, application_id=app_id, code=code, extra_terms=[],
                kept_terms=[], redaction_state="approved", approved_hash="bench",
                approved_by_id=staff_id, approved_at=now, leak_hits=[], scanned_at=now,
                created_at=now, updated_at=now))
        entry_ids = _bulk(RoundEntry.__table__, entry_rows)
        quality = {app_id: rng.gauss(6, 1.5) for app_id in members}
        assignment_rows, score_rows, score_keys = [], [], []
        for index, (entry_id, app_id) in enumerate(zip(entry_ids, members)):
            if per_app is None:
                panel = juror_ids
            else:
                panel = [juror_ids[(index * per_app + k) % len(juror_ids)] for k in range(per_app)]
            for juror_id in panel:
                assignment_rows.append(dict(round_id=round_row.id, entry_id=entry_id, juror_id=juror_id,
                                            manual=False, created_at=now))
                # In the open final round most of the work is done; the rest is open.
                if last and rng.random() < 0.15:
                    continue
                score_rows.append(dict(round_id=round_row.id, entry_id=entry_id, juror_id=juror_id,
                                       status=ScoreStatus.FINAL.value, comment="", finalised_at=now,
                                       version=1, created_at=now, updated_at=now))
                score_keys.append(app_id)
        _bulk(Assignment.__table__, assignment_rows, returning=False)
        score_ids = []
        for start in range(0, len(score_rows), 5000):
            score_ids += _bulk(Score.__table__, score_rows[start:start + 5000])
        value_rows = []
        for score_id, app_id in zip(score_ids, score_keys):
            for rc_id in rc_ids:
                value = max(0, min(10, round(rng.gauss(quality[app_id], 1.8))))
                value_rows.append(dict(score_id=score_id, round_criterion_id=rc_id, value=value, comment=""))
        for start in range(0, len(value_rows), 10000):
            _bulk(ScoreValue.__table__, value_rows[start:start + 10000], returning=False)
        total_values += len(value_rows)
        ranked = sorted(zip(entry_ids, members), key=lambda pair: -quality[pair[1]])
        previous_entries = ranked
        if not last:
            # As closing a round does (rounds.close_round): its ranking is frozen with it,
            # and the views read the frozen ranking from then on.
            db.session.flush()
            round_row.snapshot = ranking.freeze(round_row)
        rounds_info.append({"id": round_row.id, "name": name, "entries": len(entry_ids),
                            "scores": len(score_rows), "values": len(value_rows)})
    db.session.flush()

    # A juror's open work in the final round, for the scoring form.
    final_round_id = rounds_info[-1]["id"]
    juror_email = "jury1@bench.integrationspreis.example"
    staff_email = "geschaeftsstelle1@bench.integrationspreis.example"
    open_entries = db.session.scalars(
        select(RoundEntry.code)
        .join(Assignment, Assignment.entry_id == RoundEntry.id)
        .where(Assignment.round_id == final_round_id, Assignment.juror_id == juror_ids[0])
        .order_by(RoundEntry.code).limit(100)
    ).all()
    open_entry = open_entries[0]
    total_apps = db.session.scalar(select(func.count()).select_from(Application))
    description = (f"{past_years} archived years of 8 prizes ({past_apps} applications) and a stress year "
                   f"with {applications} applications, {jurors} jurors, {len(ROUNDS)} rounds and "
                   f"{total_values} criterion scores; {pdf_key_count} PDFs (120 kB) and "
                   f"{len(app_ids) // 10 + 1} photos (600 kB) in storage; {total_apps} applications in all")
    return {
        "description": description,
        "password": DEMO_PASSWORD,
        "stress": {"competition_id": stress.id, "year": year, "rounds": rounds_info,
                   "juror": juror_email, "staff": staff_email,
                   "open_entry_code": open_entry, "past_year": year - 1},
        "pages": bench_pages(stress_id=stress.id, year=year, rounds=rounds_info,
                             juror=juror_email, staff=staff_email, entry_codes=open_entries),
        "extra_commands": [["bench-export", "--competition-id", str(stress.id)],
                           ["bench-ranking", "--round-id", str(rounds_info[0]["id"])],
                           ["bench-redaction"]],
    }


def bench_pages(*, stress_id, year, rounds, juror, staff, entry_codes):
    """The key pages of the scale issue, with the login each needs."""
    from flask import current_app, url_for

    with current_app.test_request_context():
        return _pages(stress_id, year, rounds, juror, staff, entry_codes, url_for)


def _pages(stress_id, year, rounds, juror, staff, entry_codes, url_for):
    final_round = rounds[-1]["id"]
    first_round = rounds[0]["id"]
    score_paths = [url_for("jury.scoresheet", round_id=final_round, code=code) for code in entry_codes]
    score_path = score_paths[0]
    return [
        {"name": "Public winners overview", "audience": "public", "path": url_for("winners.overview")},
        {"name": "Winners page of a competition", "audience": "public",
         "path": url_for("winners.competition", prize_code="BIP", year=year - 1)},
        {"name": "Juror dashboard", "audience": "juror", "login": juror, "path": url_for("jury.dashboard")},
        {"name": "Scoring form (GET)", "audience": "juror", "login": juror, "path": score_path},
        {"name": "Scoring form (POST, save draft)", "audience": "juror", "login": juror,
         "path": score_path, "method": "POST",
         # The juror saves one sheet after another (each connection its own sheets), without
         # the optimistic-lock version of the form: every request of the run saves.
         "paths": score_paths, "fields": {"action": "save", "version": ""}},
        {"name": "Staff application list (3,000)", "audience": "staff", "login": staff,
         "path": url_for("intake.applications", competition_id=stress_id)},
        # A closed round shows the ranking frozen when it closed; an open round computes it
        # from the scores, once per change of them.
        {"name": f"Staff ranking of a closed round ({rounds[0]['scores']:,} score sheets)",
         "audience": "staff", "login": staff,
         "path": url_for("staffjury.ranking_view", round_id=first_round)},
        {"name": f"Staff ranking of the open round, live ({rounds[-1]['scores']:,} score sheets)",
         "audience": "staff", "login": staff,
         "path": url_for("staffjury.ranking_view", round_id=final_round)},
        # Reference points, not key pages: the same page with no data of its own, once
        # anonymous and once for a logged-in juror, shows what a login alone costs (session,
        # the user and their roles, the user's navigation, the final commit).
        {"name": "Reference: help page, anonymous", "audience": "public", "reference": True,
         "path": url_for("help.index")},
        {"name": "Reference: help page, logged-in juror", "audience": "juror", "reference": True,
         "login": juror, "path": url_for("help.index")},
    ]
