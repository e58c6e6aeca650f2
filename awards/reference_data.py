"""The 96 Bavarian districts: 71 Landkreise and 25 kreisfreie Städte by Regierungsbezirk."""
from sqlalchemy import select

from awards.enums import Region
from awards.extensions import db
from awards.models.reference import District

CITIES = {
    Region.OBB: ["Ingolstadt", "München", "Rosenheim"],
    Region.NDB: ["Landshut", "Passau", "Straubing"],
    Region.OPF: ["Amberg", "Regensburg", "Weiden i.d.OPf."],
    Region.OFR: ["Bamberg", "Bayreuth", "Coburg", "Hof"],
    Region.MFR: ["Ansbach", "Erlangen", "Fürth", "Nürnberg", "Schwabach"],
    Region.UFR: ["Aschaffenburg", "Schweinfurt", "Würzburg"],
    Region.SCHW: ["Augsburg", "Kaufbeuren", "Kempten (Allgäu)", "Memmingen"],
}
LANDKREISE = {
    Region.OBB: [
        "Altötting", "Bad Tölz-Wolfratshausen", "Berchtesgadener Land", "Dachau", "Ebersberg",
        "Eichstätt", "Erding", "Freising", "Fürstenfeldbruck", "Garmisch-Partenkirchen",
        "Landsberg am Lech", "Miesbach", "Mühldorf a.Inn", "München", "Neuburg-Schrobenhausen",
        "Pfaffenhofen a.d.Ilm", "Rosenheim", "Starnberg", "Traunstein", "Weilheim-Schongau",
    ],
    Region.NDB: [
        "Deggendorf", "Dingolfing-Landau", "Freyung-Grafenau", "Kelheim", "Landshut", "Passau",
        "Regen", "Rottal-Inn", "Straubing-Bogen",
    ],
    Region.OPF: [
        "Amberg-Sulzbach", "Cham", "Neumarkt i.d.OPf.", "Neustadt a.d.Waldnaab", "Regensburg",
        "Schwandorf", "Tirschenreuth",
    ],
    Region.OFR: [
        "Bamberg", "Bayreuth", "Coburg", "Forchheim", "Hof", "Kronach", "Kulmbach",
        "Lichtenfels", "Wunsiedel i.Fichtelgebirge",
    ],
    Region.MFR: [
        "Ansbach", "Erlangen-Höchstadt", "Fürth", "Neustadt a.d.Aisch-Bad Windsheim",
        "Nürnberger Land", "Roth", "Weißenburg-Gunzenhausen",
    ],
    Region.UFR: [
        "Aschaffenburg", "Bad Kissingen", "Haßberge", "Kitzingen", "Main-Spessart", "Miltenberg",
        "Rhön-Grabfeld", "Schweinfurt", "Würzburg",
    ],
    Region.SCHW: [
        "Aichach-Friedberg", "Augsburg", "Dillingen a.d.Donau", "Donau-Ries", "Günzburg",
        "Lindau (Bodensee)", "Neu-Ulm", "Oberallgäu", "Ostallgäu", "Unterallgäu",
    ],
}


def all_districts():
    """(name, is_city, region) for all 96 districts."""
    rows = []
    for region in Region:
        rows += [(name, True, region) for name in CITIES[region]]
        rows += [(name, False, region) for name in LANDKREISE[region]]
    return rows


def ensure_districts():
    """Insert missing districts; returns how many were added (0 on a second run)."""
    existing = {(d.name, d.is_city) for d in db.session.scalars(select(District))}
    added = 0
    for name, is_city, region in all_districts():
        if (name, is_city) not in existing:
            db.session.add(District(name=name, is_city=is_city, region=region))
            added += 1
    db.session.flush()
    return added
