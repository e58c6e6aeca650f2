"""Read a form as the page renders it, so tests post only what a browser could post.

`rendered_form(html, form_id=..., action=...)` returns a RenderedForm with the fields the
page shows (inputs, textareas, selects, checkboxes, file inputs) and its submit buttons.
`fill(**values)` refuses names the form does not have; `data(button=...)` builds the body
a browser sends when that button is pressed (unticked checkboxes are left out).
"""
from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"attrs": attrs, "fields": {}, "buttons": [], "files": set(),
                          "checkboxes": {}, "selects": {}}
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind == "submit":
                form["buttons"].append((name, attrs.get("value", "")))
            elif kind == "file":
                form["files"].add(name)
            elif kind in ("checkbox", "radio"):
                form["checkboxes"].setdefault(name, []).append(attrs.get("value", "y"))
                if "checked" in attrs:
                    form["fields"][name] = attrs.get("value", "y")
            else:
                form["fields"][name] = attrs.get("value", "")
        elif tag == "button" and name:
            form["buttons"].append((name, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            form["fields"][name] = ""
        elif tag == "select" and name:
            self._select = name
            form["selects"][name] = []
            form["fields"].setdefault(name, "")
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            form["selects"][self._select].append(value)
            if "selected" in attrs:
                form["fields"][self._select] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            # As in a browser, one newline right after <textarea> is not part of the value.
            if self._form is not None and self._textarea:
                value = self._form["fields"][self._textarea]
                self._form["fields"][self._textarea] = value.removeprefix("\r\n") \
                    if value.startswith("\r\n") else value.removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data


class RenderedForm:
    def __init__(self, parsed):
        self.action = parsed["attrs"].get("action", "")
        self.enctype = parsed["attrs"].get("enctype", "")
        self.values = {k: v for k, v in parsed["fields"].items()}
        self.checkboxes = parsed["checkboxes"]
        self.selects = parsed["selects"]
        self.files = parsed["files"]
        self.buttons = parsed["buttons"]
        self._file_values = {}

    @property
    def names(self):
        return set(self.values) | set(self.checkboxes) | set(self.files)

    def fill(self, **values):
        for name, value in values.items():
            if name not in self.names:
                raise KeyError(f"the rendered form has no field {name!r}")
            if name in self.files:
                self._file_values[name] = value
            elif name in self.checkboxes and value in (True, False):
                if value:
                    self.values[name] = self.checkboxes[name][0]
                else:
                    self.values.pop(name, None)
            else:
                self.values[name] = value
        return self

    def data(self, button=None):
        """The request body for pressing `button` ((name, value) or a value)."""
        body = dict(self.values)
        if button is not None:
            pair = next((b for b in self.buttons if b == button or b[1] == button), None)
            if pair is None:
                raise KeyError(f"the rendered form has no button {button!r}")
            body[pair[0]] = pair[1]
        body.update(self._file_values)
        return body


def rendered_form(html, *, form_id=None, action=None):
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        attrs = form["attrs"]
        if form_id is not None and attrs.get("id") != form_id:
            continue
        if action is not None and attrs.get("action", "") != action:
            continue
        return RenderedForm(form)
    raise LookupError(f"no form with id={form_id!r} action={action!r} on the page")
