"""Post forms as the browser would: read a page's <form>s with their action and the fields
they really render (hidden ones included), then submit one with what a user types."""
from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {"action": attrs.get("action"), "method": (attrs.get("method") or "get").lower(),
                             "fields": {}}
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "textarea", "select", "button"):
            name = attrs.get("name")
            if not name:
                return
            kind = (attrs.get("type") or "").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                self._current["fields"].setdefault(name, None)
                return
            self._current["fields"][name] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def forms(html):
    """Every form of the page: [{"action", "method", "fields": {name: value}}]."""
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def submit(client, response, typed=None, index=-1, **kw):
    """Submit the page's form (by default the last one) to its action (or, like a browser,
    to the page's own URL) with the rendered fields plus `typed`. Typed names must be
    fields the form shows."""
    html = response.get_data(as_text=True)
    form = forms(html)[index]
    fields = {k: v for k, v in form["fields"].items() if v is not None}
    for name, value in (typed or {}).items():
        assert name in form["fields"], f"the form has no field {name!r}: {sorted(form['fields'])}"
        fields[name] = value
    action = form["action"] or response.request.full_path.rstrip("?")
    return client.open(action, method=form["method"].upper(), data=fields, **kw)
