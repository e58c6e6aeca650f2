"""The radios of one criterion on the score sheet (templates/jury/_scale.html), kept per
process.

A score sheet shows a scale of radios for every criterion: five criteria with eleven values
each are the larger part of the page's HTML, and the same few blocks are shown again and
again (a criterion's scale, with one of its values chosen or none). Each block is rendered
from its declared inputs only (`INPUTS`): the field's name and id, the values with their
labels and which one is chosen, the anchor texts as shown (already in the page's language)
and the language. The block's template sees nothing else — not the request, the session,
the juror or the application — so what is kept is a function of the key alone and holds
nothing about who looked at it. A few thousand entries at most.
"""
from flask_babel import get_locale

from awards.cachekeys import CacheInputs
from awards.views.fragments import kept_render

TEMPLATE = "jury/_scale.html"
INPUTS = CacheInputs("score-scale", context=("template", "language", "name", "field_id",
                                             "choices", "anchors"), has_data=False)
MAX_ENTRIES = 4096
EXTENSION = "awards.score_scales"


def score_scale(radio, anchors):
    """The radios of `radio` (a criterion's RadioField) with the criterion's `anchors`
    ({value: localized text}, from content_language.localized_anchors)."""
    choices = tuple((choice.value, str(choice.label), bool(choice.selected))
                    for choice in radio.iter_choices())
    anchor_items = tuple((value, str(text), getattr(text, "lang", None))
                         for value, text in anchors.items())
    inputs = {"template": TEMPLATE, "language": str(get_locale()), "name": radio.name,
              "field_id": radio.id, "choices": choices, "anchors": anchor_items}
    return kept_render(EXTENSION, INPUTS.key(**inputs), TEMPLATE,
                       lambda: {"name": radio.name, "field_id": radio.id, "choices": choices,
                                "anchors": {value: (text, lang)
                                            for value, text, lang in anchor_items}},
                       limit=MAX_ENTRIES)


def register(app):
    app.jinja_env.globals["score_scale"] = score_scale
