"""Security headers on every response, the one way to render rich text (nh3), the one
way to insert HTML our own templates rendered earlier (cached fragments), and the one way
to wrap a plain text in a language span."""
import nh3
from jinja2 import pass_eval_context
from markupsafe import Markup

from awards.i18n import translations

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
)
HSTS = "max-age=31536000; includeSubDomains"

# What user-entered rich text may contain: paragraphs, emphasis, lists and plain links.
RICH_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a"}
RICH_ATTRIBUTES = {"a": {"href"}}
RICH_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(value):
    """Clean user HTML with nh3 (allow-list); the result is safe to mark up."""
    cleaned = nh3.clean(
        value or "", tags=RICH_TAGS, attributes=RICH_ATTRIBUTES, url_schemes=RICH_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)  # noqa: S704 - cleaned by nh3 just above


def rendered_fragment(html):
    """HTML that render_template produced from our own templates (autoescaping on), kept
    in the cache as bytes and inserted into a page again: safe as it was when rendered.
    Never for text from anywhere else."""
    return Markup(html.decode("utf-8"))  # noqa: S704 - output of our autoescaped templates


def splice_marker(nonce, index):
    """The comment that stands where a kept fragment goes in a page until
    awards.views.fragments.render_page puts the fragment's bytes in its place (it never
    reaches a browser). `nonce` is hex drawn for the rendering, `index` a number."""
    return Markup(f"<!--fragment-{int(nonce, 16):x}-{int(index)}-->")  # noqa: S704 - hex and a number


def language_span(text, lang):
    """`text` (escaped) in a span that names its language: <span lang="de">…</span>."""
    return Markup('<span lang="{}">{}</span>').format(lang, text)


@pass_eval_context
def template_gettext(__eval_ctx, __string, **variables):
    """`_()` and `gettext()` in templates, as Jinja's i18n extension does them (newstyle):
    the message from our catalogue, as markup where autoescaping is on, its placeholders
    filled with escaped values. One call instead of the extension's two context calls per
    message (a page has forty); a message with neither placeholders nor a per cent sign is
    returned as it is, which is what formatting it would give."""
    rv = translations().ugettext(__string)
    if __eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704 - a message of our catalogue, as Jinja marks it
    if variables or "%" in rv:
        return rv % variables
    return rv


@pass_eval_context
def template_ngettext(__eval_ctx, __singular, __plural, __num, **variables):
    """`ngettext()` in templates, as Jinja's i18n extension does it (newstyle; `num` may be
    given again as a placeholder, formatted)."""
    variables.setdefault("num", __num)
    rv = translations().ungettext(__singular, __plural, __num)
    if __eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704 - a message of our catalogue, as Jinja marks it
    return rv % variables


def register_security(app):
    app.add_template_filter(sanitize_html, "rich")
    # Translated messages become markup here, as everything else that becomes markup.
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext,
                                 ngettext=template_ngettext)

    @app.after_request
    def set_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if app.config["ENV_NAME"] == "production":
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
