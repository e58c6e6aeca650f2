"""Read a form out of rendered HTML and post exactly what a browser would send.

`form_fields(html, action=None)` returns the successful controls of the first form (or the
form whose action ends with `action`) as a dict: text inputs and hidden fields with their
value, checked checkboxes and radios, textareas with their text, selects with the selected
option (or the first). Tests change values only of fields that are there — a KeyError when
the form does not show a field is the point.
"""
from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, action):
        super().__init__(convert_charrefs=True)
        self.want = action
        self.forms = []  # [(action, fields, names)]
        self._form = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = (a.get("action") or "", {}, [])
        if self._form is None:
            return
        fields, names = self._form[1], self._form[2]
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            names.append(name)
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file", "image", "reset"):
                fields[name] = a.get("value", "")
        elif tag == "textarea" and name:
            names.append(name)
            self._textarea = name
            fields[name] = ""
        elif tag == "select" and name:
            names.append(name)
            self._select = [name, None, None]  # name, first value, selected value
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in a:
                self._select[2] = value

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[1][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            # Browsers drop the one newline right after <textarea>.
            value = self._form[1][self._textarea]
            self._form[1][self._textarea] = value[1:] if value.startswith("\n") else value
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, first, selected = self._select
            self._form[1][name] = selected if selected is not None else (first or "")
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def _find(html, action, containing):
    parser = _FormParser(action)
    parser.feed(html)
    for form_action, fields, names in parser.forms:
        if action is not None and not form_action.endswith(action):
            continue
        if containing is not None and containing not in names:
            continue
        return fields, names
    raise AssertionError(f"no form with action {action!r} and field {containing!r} in the page")


def form_fields(html, action=None, containing=None):
    """The successful controls of the first form with that action (ending) and field."""
    return dict(_find(html, action, containing)[0])


def field_names(html, action=None, containing=None):
    """Every named control of the form, checked or not."""
    return set(_find(html, action, containing)[1])
