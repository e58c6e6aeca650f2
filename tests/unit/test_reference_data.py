from collections import Counter

from awards.enums import Region
from awards.reference_data import all_districts


def test_bavaria_has_71_landkreise_and_25_kreisfreie_staedte():
    rows = all_districts()
    assert len(rows) == 96
    assert Counter(is_city for _, is_city, _ in rows) == {False: 71, True: 25}


def test_every_region_has_its_districts():
    per_region = Counter(region for _, _, region in all_districts())
    assert per_region == {Region.OBB: 23, Region.NDB: 12, Region.OPF: 10, Region.OFR: 13,
                          Region.MFR: 12, Region.UFR: 12, Region.SCHW: 14}


def test_district_names_are_unique_within_their_kind():
    keys = [(name, is_city) for name, is_city, _ in all_districts()]
    assert len(keys) == len(set(keys))
